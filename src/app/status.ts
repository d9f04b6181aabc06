/**
 * The read side (`/status [N]`, `yishi status`): one proposal or resolution,
 * or the community's open list, as JSON-safe views with the names of
 * design.md and ISO times. While a vote is open only the turnout is shown;
 * the tally appears once the vote has closed (the stored final tally).
 */
import { escalationLevelAt } from '../domain/escalation.ts';
import type { Policy } from '../domain/policy.ts';
import { isOverdue } from '../domain/resolution.ts';
import type { BallotCounts } from '../domain/tally.ts';
import { communityPolicy, iso } from './core.ts';
import type {
  CommunityRecord,
  Platform,
  ProposalRecord,
  ProposalStateName,
  ResolutionRecord,
  ResolutionStateName,
} from './ports/store.ts';

/** A proposal with what its status view needs. */
export type ProposalStatusRow = {
  proposal: ProposalRecord;
  /** Counting ballots stored for its vote (one per voter; superseded ones excluded). */
  ballots: number;
  /** Its resolution, with `leadUnit` resolved to the unit's name; null when none. */
  resolution: ResolutionRecord | null;
  /** The author's household (building and unit); null when the author left the roster. */
  author: { building: string; unit: string } | null;
};

/** One entry of the points ledger. */
export type PointsEntryRecord = { kind: string; amount: number; subject: string; at: Date };

/** Read-only queries of the status and points use cases (implemented in src/store/status-store.ts). */
export interface StatusReader {
  community(communityId: string): Promise<CommunityRecord | undefined>;
  /** The chats bound to the community, with the locale chosen there (/lang), if any. */
  bindings(
    communityId: string,
  ): Promise<{ platform: Platform; chatId: string; locale: string | null }[]>;
  /** Proposal `#number` of the community with its ballot count and resolution. */
  proposal(communityId: string, number: number): Promise<ProposalStatusRow | undefined>;
  /**
   * The open list, by number: proposals not in a final state, and proposals
   * whose resolution is not evaluated yet.
   */
  open(communityId: string): Promise<ProposalStatusRow[]>;
  /** A resident's balance (sum of the ledger) and the `limit` newest entries, newest first. */
  points(
    residentId: string,
    limit: number,
  ): Promise<{ balance: number; recent: PointsEntryRecord[] }>;
}

export type ResolutionStatusView = {
  lead: string;
  coop: string[];
  dueAt: string;
  state: ResolutionStateName;
  progress: number;
  latestNote: string | null;
  /** Unfinished and past the due time. */
  overdue: boolean;
  /** 0..3: the level reached by now, or the highest stored (kept once the work is done). */
  escalationLevel: number;
  flagged: boolean;
};

export type ProposalStatusView = {
  number: number;
  title: string;
  /** The details typed under the title; may be empty. */
  body: string;
  category: string;
  /** The author's household as residents write it (`3-201`); null when unknown. */
  authorUnit: string | null;
  state: ProposalStateName;
  cosigns: number;
  cosignThreshold: number;
  cosignDeadline: string;
  votingOpensAt: string | null;
  votingClosesAt: string | null;
  /** Eligible voters snapshotted when voting opened; null before. */
  eligible: number | null;
  /** Ballots cast of the eligible voters; null until voting opens. */
  turnout: { ballots: number; eligible: number } | null;
  /** The final tally, only once the vote has closed (never while `voting`). */
  tally: BallotCounts | null;
  result: 'passed' | 'rejected' | 'no_quorum' | null;
  resolution: ResolutionStatusView | null;
};

export type ProposalStatusOutcome =
  | { kind: 'status'; view: ProposalStatusView }
  | { kind: 'community_unknown'; communityId: string }
  | { kind: 'proposal_unknown'; communityId: string; number: number };

export type OpenStatusOutcome =
  | { kind: 'open'; items: ProposalStatusView[] }
  | { kind: 'community_unknown'; communityId: string };

export type PointsView = {
  residentId: string;
  balance: number;
  recent: { kind: string; amount: number; subject: string; at: string }[];
};

/** Entries shown by `/points`. */
export const RECENT_POINTS = 10;

const RESULTS: ReadonlySet<ProposalStateName> = new Set(['passed', 'rejected', 'no_quorum']);

function resolutionView(r: ResolutionRecord, now: Date, policy: Policy): ResolutionStatusView {
  const reached = escalationLevelAt(r, now, policy);
  return {
    lead: r.leadUnit,
    coop: [...r.coopUnits],
    dueAt: r.dueAt.toISOString(),
    state: r.state,
    progress: r.progress,
    latestNote: r.latestNote,
    overdue: isOverdue(r, now),
    escalationLevel: Math.max(reached, r.escalationLevel),
    flagged: r.flagged,
  };
}

/** A household as residents write it: `3-201`, unless the roster's unit already names the building. */
export function householdLabel(building: string, unit: string): string {
  return unit.startsWith(`${building}-`) ? unit : `${building}-${unit}`;
}

/** The status view of one proposal (and its resolution) at `now`. */
export function statusView(row: ProposalStatusRow, now: Date, policy: Policy): ProposalStatusView {
  const p = row.proposal;
  // The final tally is revealed only once the vote has closed; while voting only the turnout is.
  const tally = RESULTS.has(p.state) && p.tally ? { ...p.tally } : null;
  const opened = p.eligibleCount !== null;
  const ballots = tally ? tally.for + tally.against + tally.abstain : row.ballots;
  return {
    number: p.number,
    title: p.title,
    body: p.body,
    category: p.category,
    authorUnit: row.author ? householdLabel(row.author.building, row.author.unit) : null,
    state: p.state,
    cosigns: p.cosignCount,
    cosignThreshold: p.cosignThreshold,
    cosignDeadline: p.cosignDeadline.toISOString(),
    votingOpensAt: iso(p.votingOpensAt),
    votingClosesAt: iso(p.votingClosesAt),
    eligible: p.eligibleCount,
    turnout: opened ? { ballots, eligible: p.eligibleCount ?? 0 } : null,
    tally,
    result: RESULTS.has(p.state) ? (p.state as 'passed' | 'rejected' | 'no_quorum') : null,
    resolution: row.resolution ? resolutionView(row.resolution, now, policy) : null,
  };
}

/** `/status N`: one proposal or resolution. */
export async function proposalStatus(
  reader: StatusReader,
  input: { communityId: string; number: number; now: Date },
): Promise<ProposalStatusOutcome> {
  const community = await reader.community(input.communityId);
  if (!community) return { kind: 'community_unknown', communityId: input.communityId };
  const row = await reader.proposal(input.communityId, input.number);
  if (!row) {
    return { kind: 'proposal_unknown', communityId: input.communityId, number: input.number };
  }
  return { kind: 'status', view: statusView(row, input.now, communityPolicy(community)) };
}

/** `/status`: the open proposals and unevaluated resolutions, by number. */
export async function openStatus(
  reader: StatusReader,
  input: { communityId: string; now: Date },
): Promise<OpenStatusOutcome> {
  const community = await reader.community(input.communityId);
  if (!community) return { kind: 'community_unknown', communityId: input.communityId };
  const policy = communityPolicy(community);
  const rows = await reader.open(input.communityId);
  return { kind: 'open', items: rows.map((row) => statusView(row, input.now, policy)) };
}
