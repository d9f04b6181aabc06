/**
 * The public board's read side (issue 14): which community a board key opens,
 * and the views its pages and feeds show. Numbers come from the same
 * {@link statusView} as `/status` and `yishi status`, so the board can never
 * disagree with them. Privacy is decided here, not in the pages: no author,
 * no ballot, no household; participation by building only, with small
 * buildings merged.
 */
import { z } from 'zod';
import type { BoardAccess } from '../domain/policy.ts';
import type { BallotCounts } from '../domain/tally.ts';
import { communityPolicy } from './core.ts';
import type { CommunityRecord, ProposalStateName } from './ports/store.ts';
import { type ProposalStatusRow, type ProposalStatusView, statusView } from './status.ts';

/** What a key lookup finds: the community, its stored link key and its change counter. */
export type BoardKeyRow = {
  community: CommunityRecord;
  boardKey: string | null;
  /** Grows with every audited change of the community: the page cache's validity. */
  version: string;
};

/** One audit entry of an item, as stored (the payload is parsed by {@link timelineEvent}). */
export type AuditEventRow = { action: string; at: Date; payload: unknown };

/** The audit chain as far as a reader may know it. */
export type ChainState =
  | { kind: 'intact'; sealedUpTo: number | null; sealedAt: Date | null; pending: number }
  | { kind: 'broken'; chainIndex: number; reason: string };

/** Per building counts, before small buildings are merged. */
export type BuildingCounts = {
  building: string;
  households: number;
  /** Households that co-signed or proposed in the period. */
  cosigned: number;
  /** Per vote (same order as `votes`): households that voted and households eligible. */
  voted: { voted: number; eligible: number }[];
};

export type ParticipationData = {
  votes: { number: number; closesAt: Date | null }[];
  buildings: BuildingCounts[];
  /** Per household with any activity: proposals made and co-signs given (anonymous). */
  activity: { proposals: number; cosigns: number }[];
  /** Households on the roster (the 10% of {@link ParticipationView.concentration} is of these). */
  households: number;
  /** Per month `YYYY-MM` (community time), households that proposed, co-signed or voted. */
  months: { month: string; households: number }[];
};

/** A proposal as the board reads it. */
export type BoardRow = ProposalStatusRow & { latestNoteAt: Date | null };

/** Read-only queries behind the board (implemented in src/store/board-store.ts). */
export interface BoardReader {
  /** The community whose link key or id is `key`; undefined when none. */
  find(key: string): Promise<BoardKeyRow | undefined>;
  /**
   * Every proposal of the community (or only #`number`) with its status row
   * (authors are never read), by number.
   */
  proposals(communityId: string, number?: number): Promise<BoardRow[]>;
  /** The audit entries of proposal #N and its resolution, oldest first; undefined for no such item. */
  timeline(communityId: string, number: number): Promise<AuditEventRow[] | undefined>;
  /** What is sealed so far, checked without sealing (a public page never writes). */
  chain(communityId: string): Promise<ChainState>;
  /** The newest `limit` audit entries of the community with one of `actions`, newest first. */
  events(
    communityId: string,
    actions: readonly string[],
    limit: number,
  ): Promise<(AuditEventRow & { subject: string })[]>;
  participation(
    communityId: string,
    input: { since: Date; lastVotes: number },
  ): Promise<ParticipationData>;
}

/**
 * Whether `key` opens the board of the row found for it: never when the
 * policy says `off`; with `link` only the stored key; with `public` also the
 * community's id (its slug).
 */
export function boardOpens(row: BoardKeyRow, key: string): boolean {
  const access: BoardAccess = communityPolicy(row.community).board;
  if (access === 'off') return false;
  if (row.boardKey !== null && key === row.boardKey) return true;
  return access === 'public' && key === row.community.id;
}

/** A status view without anything that points at a household. */
export type BoardItem = Omit<ProposalStatusView, 'authorUnit'> & {
  latestNoteAt: string | null;
  /** The survey's result once evaluated: satisfied of answered, and whether it met the bar. */
  satisfaction: { satisfied: number; answered: number; flagged: boolean } | null;
};

export type BoardView = {
  community: { id: string; name: string; timezone: string; locale: 'zh-CN' | 'en' };
  collecting: BoardItem[];
  /** Announced (agenda, noticed) and open votes: turnout only. */
  votes: BoardItem[];
  /** Closed votes, newest first, at most {@link RECENT_RESULTS}. */
  results: BoardItem[];
  /** Resolutions being carried out (assigned, in progress). */
  resolutions: BoardItem[];
  /** Resolutions done or evaluated, newest first, at most {@link RECENT_DONE}. */
  done: BoardItem[];
  /** How many resolutions are done or evaluated in all. */
  doneTotal: number;
  /** Every item shown, by number (for feeds and tests). */
  all: BoardItem[];
};

export const RECENT_RESULTS = 20;
/** Done resolutions on the board; older ones keep their item pages (a phone should not load them all). */
export const RECENT_DONE = 20;

const VOTE_STATES: ReadonlySet<ProposalStateName> = new Set(['agenda', 'noticed', 'voting']);

export function boardItem(
  row: ProposalStatusRow & { latestNoteAt: Date | null },
  now: Date,
  community: CommunityRecord,
): BoardItem {
  const { authorUnit: _hidden, ...view } = statusView(
    { ...row, author: null },
    now,
    communityPolicy(community),
  );
  const r = row.resolution;
  const satisfaction =
    r && r.evaluatedAt !== null && r.answeredCount !== null
      ? { satisfied: r.satisfiedCount ?? 0, answered: r.answeredCount, flagged: r.flagged }
      : null;
  return { ...view, latestNoteAt: row.latestNoteAt?.toISOString() ?? null, satisfaction };
}

const newestFirst = (key: (i: BoardItem) => string | null) => (a: BoardItem, b: BoardItem) =>
  (key(b) ?? '').localeCompare(key(a) ?? '') || b.number - a.number;

/** The community board: every section of `GET /board/:key`. */
export async function boardView(
  reader: BoardReader,
  community: CommunityRecord,
  now: Date,
  /** The community's proposals when the caller read them already (the feed needs them too). */
  preloaded?: BoardRow[],
): Promise<BoardView> {
  const rows = preloaded ?? (await reader.proposals(community.id));
  const all = rows
    .map((row) => boardItem(row, now, community))
    .filter((i) => i.state !== 'withdrawn');
  const resolutions = all.filter(
    (i) =>
      i.resolution && (i.resolution.state === 'assigned' || i.resolution.state === 'in_progress'),
  );
  const done = all
    .filter(
      (i) => i.resolution && (i.resolution.state === 'done' || i.resolution.state === 'evaluated'),
    )
    .sort(newestFirst((i) => i.resolution?.dueAt ?? null));
  return {
    community: {
      id: community.id,
      name: community.name,
      timezone: community.timezone,
      locale: community.locale,
    },
    collecting: all.filter((i) => i.state === 'collecting'),
    votes: all.filter((i) => VOTE_STATES.has(i.state)),
    results: all
      .filter((i) => i.result !== null)
      .sort(newestFirst((i) => i.votingClosesAt))
      .slice(0, RECENT_RESULTS),
    resolutions,
    done: done.slice(0, RECENT_DONE),
    doneTotal: done.length,
    all,
  };
}

/** One public step of an item's history. Ballots, co-signers and survey answers never appear. */
export type TimelineEvent =
  | { kind: 'proposed'; at: string }
  | { kind: 'agenda'; at: string }
  | { kind: 'scheduled'; at: string; opensAt: string; closesAt: string }
  | { kind: 'opened'; at: string; eligible: number; closesAt: string }
  | {
      kind: 'closed';
      at: string;
      result: string;
      tally: BallotCounts;
      eligible: number;
    }
  | { kind: 'assigned'; at: string; lead: string; coop: string[]; dueAt: string }
  | { kind: 'progress'; at: string; percent: number; note: string }
  | { kind: 'escalated'; at: string; level: number }
  | { kind: 'done'; at: string; note: string }
  | { kind: 'survey'; at: string; satisfied: number; answered: number; flagged: boolean }
  | { kind: 'expired'; at: string }
  | { kind: 'withdrawn'; at: string };

const Iso = z.union([z.string(), z.date()]).transform((v) => new Date(v).toISOString());
const TallySchema = z.object({ for: z.number(), against: z.number(), abstain: z.number() });

/** The public fields of each audited action; anything else in a payload is never read. */
const PUBLIC_FIELDS = {
  'proposal.created': z.object({}),
  'proposal.agenda_reached': z.object({}),
  'vote.scheduled': z.object({ votingOpensAt: Iso, votingClosesAt: Iso }),
  'vote.opened': z.object({ eligible: z.number(), votingClosesAt: Iso }),
  'vote.closed': z.object({ result: z.string(), tally: TallySchema, eligible: z.number() }),
  'resolution.assigned': z.object({ lead: z.string(), coop: z.array(z.string()), dueAt: Iso }),
  'resolution.progress_reported': z.object({ percent: z.number(), note: z.string() }),
  'resolution.escalated': z.object({ level: z.number() }),
  'resolution.done': z.object({ note: z.string() }),
  'survey.evaluated': z.object({
    satisfied: z.number(),
    answered: z.number(),
    flagged: z.boolean(),
  }),
  'proposal.expired': z.object({}),
  'proposal.withdrawn': z.object({}),
} as const;

/** The public event of an audit entry, or null for entries the board does not show. */
export function timelineEvent(row: AuditEventRow): TimelineEvent | null {
  const at = row.at.toISOString();
  const action = row.action as keyof typeof PUBLIC_FIELDS;
  const schema = PUBLIC_FIELDS[action];
  if (!schema) return null;
  const parsed = schema.safeParse(row.payload ?? {});
  if (!parsed.success) return null;
  switch (action) {
    case 'proposal.created':
      return { kind: 'proposed', at };
    case 'proposal.agenda_reached':
      return { kind: 'agenda', at };
    case 'vote.scheduled': {
      const p = PUBLIC_FIELDS[action].parse(row.payload);
      return { kind: 'scheduled', at, opensAt: p.votingOpensAt, closesAt: p.votingClosesAt };
    }
    case 'vote.opened': {
      const p = PUBLIC_FIELDS[action].parse(row.payload);
      return { kind: 'opened', at, eligible: p.eligible, closesAt: p.votingClosesAt };
    }
    case 'vote.closed': {
      const p = PUBLIC_FIELDS[action].parse(row.payload);
      return { kind: 'closed', at, result: p.result, tally: p.tally, eligible: p.eligible };
    }
    case 'resolution.assigned': {
      const p = PUBLIC_FIELDS[action].parse(row.payload);
      return { kind: 'assigned', at, lead: p.lead, coop: p.coop, dueAt: p.dueAt };
    }
    case 'resolution.progress_reported': {
      const p = PUBLIC_FIELDS[action].parse(row.payload);
      return { kind: 'progress', at, percent: p.percent, note: p.note };
    }
    case 'resolution.escalated':
      return { kind: 'escalated', at, level: PUBLIC_FIELDS[action].parse(row.payload).level };
    case 'resolution.done':
      return { kind: 'done', at, note: PUBLIC_FIELDS[action].parse(row.payload).note };
    case 'survey.evaluated': {
      const p = PUBLIC_FIELDS[action].parse(row.payload);
      return {
        kind: 'survey',
        at,
        satisfied: p.satisfied,
        answered: p.answered,
        flagged: p.flagged,
      };
    }
    case 'proposal.expired':
      return { kind: 'expired', at };
    case 'proposal.withdrawn':
      return { kind: 'withdrawn', at };
  }
}

export type ItemView = {
  community: BoardView['community'];
  item: BoardItem;
  timeline: TimelineEvent[];
  chain: ChainState;
};

/** One item's page: its status and whole public timeline; undefined for an unknown number. */
export async function itemView(
  reader: BoardReader,
  community: CommunityRecord,
  number: number,
  now: Date,
): Promise<ItemView | undefined> {
  const rows = await reader.proposals(community.id, number);
  const row = rows.find((r) => r.proposal.number === number);
  if (!row || row.proposal.state === 'withdrawn') return undefined;
  const [entries, chain] = await Promise.all([
    reader.timeline(community.id, number),
    reader.chain(community.id),
  ]);
  const timeline = (entries ?? []).flatMap((e) => timelineEvent(e) ?? []);
  return {
    community: {
      id: community.id,
      name: community.name,
      timezone: community.timezone,
      locale: community.locale,
    },
    item: boardItem(row, now, community),
    timeline,
    chain,
  };
}

/** Buildings with fewer households are shown together as "other buildings". */
export const MIN_BUILDING_HOUSEHOLDS = 5;
/** How many closed votes the participation page compares. */
export const PARTICIPATION_VOTES = 6;
/** The co-sign period and the monthly trend: the last 12 months. */
export const PARTICIPATION_MONTHS = 12;

export type BuildingRow = {
  /** The building's name, or null for the merged small buildings. */
  building: string | null;
  households: number;
  cosigned: number;
  voted: { voted: number; eligible: number }[];
};

export type ParticipationView = {
  community: BoardView['community'];
  votes: { number: number; closesAt: string | null }[];
  buildings: BuildingRow[];
  /** Share of proposals and co-signs from the most active 10% of households (0..1). */
  concentration: { topHouseholds: number; households: number; proposals: number; cosigns: number };
  months: { month: string; households: number; share: number }[];
  totalHouseholds: number;
};

/** Merges buildings under {@link MIN_BUILDING_HOUSEHOLDS} households into one row, so none is identifiable. */
export function mergeSmallBuildings(buildings: readonly BuildingCounts[]): BuildingRow[] {
  const big: BuildingRow[] = [];
  let other: BuildingRow | null = null;
  for (const b of buildings) {
    if (b.households >= MIN_BUILDING_HOUSEHOLDS) {
      big.push({ ...b, voted: b.voted.map((v) => ({ ...v })) });
      continue;
    }
    if (other === null) {
      other = {
        building: null,
        households: 0,
        cosigned: 0,
        voted: b.voted.map(() => ({ voted: 0, eligible: 0 })),
      };
    }
    other.households += b.households;
    other.cosigned += b.cosigned;
    b.voted.forEach((v, i) => {
      const slot = other?.voted[i];
      if (slot) {
        slot.voted += v.voted;
        slot.eligible += v.eligible;
      }
    });
  }
  return other ? [...big, other] : big;
}

/**
 * How concentrated activity is: the top 10% of households (at least one) by
 * proposals + co-signs, and the share of all proposals and co-signs that came
 * from them.
 */
export function concentration(
  activity: readonly { proposals: number; cosigns: number }[],
  households: number,
): ParticipationView['concentration'] {
  const top = Math.max(1, Math.ceil(households / 10));
  const ranked = [...activity].sort((a, b) => b.proposals + b.cosigns - (a.proposals + a.cosigns));
  const sum = (rows: readonly { proposals: number; cosigns: number }[]) =>
    rows.reduce((s, r) => ({ p: s.p + r.proposals, c: s.c + r.cosigns }), { p: 0, c: 0 });
  const all = sum(ranked);
  const leaders = sum(ranked.slice(0, top));
  return {
    topHouseholds: top,
    households,
    proposals: all.p === 0 ? 0 : leaders.p / all.p,
    cosigns: all.c === 0 ? 0 : leaders.c / all.c,
  };
}

/** `GET /board/:key/participation`. */
export async function participationView(
  reader: BoardReader,
  community: CommunityRecord,
  now: Date,
): Promise<ParticipationView> {
  const since = new Date(now.getTime() - PARTICIPATION_MONTHS * 30.5 * 24 * 3600_000);
  const data = await reader.participation(community.id, { since, lastVotes: PARTICIPATION_VOTES });
  return {
    community: {
      id: community.id,
      name: community.name,
      timezone: community.timezone,
      locale: community.locale,
    },
    votes: data.votes.map((v) => ({
      number: v.number,
      closesAt: v.closesAt?.toISOString() ?? null,
    })),
    buildings: mergeSmallBuildings(data.buildings),
    concentration: concentration(data.activity, data.households),
    months: lastMonths(now, community.timezone, PARTICIPATION_MONTHS).map((month) => {
      const households = data.months.find((m) => m.month === month)?.households ?? 0;
      return { month, households, share: data.households === 0 ? 0 : households / data.households };
    }),
    totalHouseholds: data.households,
  };
}

/** The `count` months up to `now`'s month in `timeZone`, oldest first, as `YYYY-MM`. */
export function lastMonths(now: Date, timeZone: string, count: number): string[] {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
  }).formatToParts(now);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const index = part('year') * 12 + part('month') - 1;
  return Array.from({ length: count }, (_, i) => {
    const m = index - (count - 1 - i);
    return `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`;
  });
}

/** Audited actions the Atom feed announces. */
export const FEED_ACTIONS = [
  'vote.closed',
  'resolution.assigned',
  'resolution.progress_reported',
  'resolution.escalated',
  'resolution.done',
] as const;

export const FEED_ENTRIES = 50;

export type FeedEntry = { item: BoardItem; event: TimelineEvent; id: string };

/** The feed's entries, newest first: results, assignments, progress, escalations and completions. */
export async function feedEntries(
  reader: BoardReader,
  view: BoardView,
  preloaded?: BoardRow[],
): Promise<FeedEntry[]> {
  const rows = preloaded ?? (await reader.proposals(view.community.id));
  const bySubject = new Map<string, number>();
  for (const row of rows) {
    bySubject.set(`proposal:${row.proposal.id}`, row.proposal.number);
    if (row.resolution) bySubject.set(`resolution:${row.resolution.id}`, row.proposal.number);
  }
  const items = new Map(view.all.map((i) => [i.number, i]));
  const events = await reader.events(view.community.id, FEED_ACTIONS, FEED_ENTRIES);
  return events.flatMap((row) => {
    const item = items.get(bySubject.get(row.subject) ?? -1);
    const event = timelineEvent(row);
    if (!item || !event) return [];
    return [{ item, event, id: `${row.subject}:${row.action}:${row.at.toISOString()}` }];
  });
}
