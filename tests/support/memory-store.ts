/**
 * An in-memory DeliberationStore for unit tests of src/app: the same port the
 * Prisma store implements, with a fixed clock and counters for ids, so the
 * use cases' rules can be tested in milliseconds. Transactions run one at a
 * time on a copy of the state that replaces it only on success, which gives
 * the rollback a refusal after a write would get in PostgreSQL.
 */

import type { CoreDeps } from '../../src/app/core.ts';
import type {
  Actor,
  ActorRef,
  AuditInput,
  BallotRecord,
  CommunityRecord,
  DeliberationStore,
  DeliberationTx,
  ProposalRecord,
  ResolutionRecord,
  Voter,
} from '../../src/app/ports/store.ts';
import { resolvePolicy } from '../../src/domain/policy.ts';
import type { Role } from '../../src/domain/role.ts';
import { type TestClock, testClock } from './community.ts';

type ResidentRow = {
  id: string;
  name: string;
  householdId: string;
  roles: Role[];
  executingUnitId: string | null;
};
type HouseholdRow = { id: string; unit: string; buildingId: string; building: string };
type StoredResolution = Omit<ResolutionRecord, 'leadUnit' | 'number'>;

export type MemoryState = {
  community: CommunityRecord;
  nextNumber: number;
  households: HouseholdRow[];
  residents: ResidentRow[];
  units: { id: string; name: string }[];
  proposals: ProposalRecord[];
  cosigns: { proposalId: string; voterKey: string; residentId: string }[];
  eligibility: (Voter & { proposalId: string })[];
  ballots: BallotRecord[];
  ballotHistory: BallotRecord[];
  resolutions: StoredResolution[];
  progressReports: { id: string; resolutionId: string; percent: number; note: string }[];
  surveyAnswers: { resolutionId: string; voterKey: string; satisfied: boolean }[];
  points: { id: string; residentId: string; kind: string; subject: string; amount: number }[];
  audit: AuditInput[];
  outbox: { id: string; number: number; kind: string; announcement: boolean }[];
  idempotency: Map<string, unknown>;
};

function memoryTx(s: MemoryState): DeliberationTx {
  const actorOf = (residentId: string): Actor | undefined => {
    const r = s.residents.find((x) => x.id === residentId);
    const h = r && s.households.find((x) => x.id === r.householdId);
    if (!r || !h) return undefined;
    return {
      residentId: r.id,
      name: r.name,
      householdId: h.id,
      unit: h.unit,
      buildingId: h.buildingId,
      building: h.building,
      roles: r.roles,
      executingUnitId: r.executingUnitId,
      community: s.community,
    };
  };
  const proposalWhere = (match: (p: ProposalRecord) => boolean) => {
    const p = s.proposals.find(match);
    return p ? { ...p } : undefined;
  };
  const surveyCounts = (resolutionId: string) => {
    const answers = s.surveyAnswers.filter((a) => a.resolutionId === resolutionId);
    return { answered: answers.length, satisfied: answers.filter((a) => a.satisfied).length };
  };
  return {
    async actor(ref: ActorRef) {
      if (ref.kind === 'chat') return { kind: 'chat_not_bound' };
      return actorOf(ref.residentId) ?? { kind: 'not_joined' };
    },
    community: async (id) => (id === s.community.id ? s.community : undefined),
    nextProposalNumber: async () => s.nextNumber++,
    async voters(_communityId, unit) {
      if (unit === 'household') {
        return s.households
          .filter((h) => s.residents.some((r) => r.householdId === h.id))
          .map((h) => ({ voterKey: h.id, householdId: h.id, buildingId: h.buildingId }));
      }
      return s.residents.map((r) => ({
        voterKey: r.id,
        householdId: r.householdId,
        buildingId: s.households.find((h) => h.id === r.householdId)?.buildingId ?? '',
      }));
    },
    proposal: async (communityId, number) =>
      proposalWhere((p) => p.communityId === communityId && p.number === number),
    proposalById: async (id) => proposalWhere((p) => p.id === id),
    async insertProposal(p) {
      s.proposals.push({ ...p });
    },
    async updateProposal(id, patch) {
      const index = s.proposals.findIndex((p) => p.id === id);
      const current = s.proposals[index];
      if (!current) throw new Error(`no proposal ${id}`);
      s.proposals[index] = { ...current, ...patch };
    },
    async addCosign(proposalId, voterKey, residentId) {
      if (s.cosigns.some((c) => c.proposalId === proposalId && c.voterKey === voterKey))
        return false;
      s.cosigns.push({ proposalId, voterKey, residentId });
      return true;
    },
    async snapshotEligibility(proposalId, voters) {
      for (const v of voters) s.eligibility.push({ proposalId, ...v });
    },
    async eligibility(proposalId, voterKey) {
      const row = s.eligibility.find((e) => e.proposalId === proposalId && e.voterKey === voterKey);
      return row
        ? { voterKey, householdId: row.householdId, buildingId: row.buildingId }
        : undefined;
    },
    lockBallot: async (proposalId, voterKey) =>
      s.ballots.find((b) => b.proposalId === proposalId && b.voterKey === voterKey),
    async putBallot(ballot, previous) {
      if (previous) s.ballotHistory.push(previous);
      s.ballots = s.ballots.filter(
        (b) => !(b.proposalId === ballot.proposalId && b.voterKey === ballot.voterKey),
      );
      s.ballots.push(ballot);
    },
    async ballotCounts(proposalId) {
      const counts = { for: 0, against: 0, abstain: 0 };
      for (const b of s.ballots) if (b.proposalId === proposalId) counts[b.choice]++;
      return counts;
    },
    householdByUnit: async (_communityId, building, unit) =>
      s.households
        .filter((h) => h.unit === unit && (building === null || h.building === building))
        .map((h) => ({ householdId: h.id, buildingId: h.buildingId, unit: h.unit })),
    executingUnitByName: async (_communityId, name) => s.units.find((u) => u.name === name),
    async resolution(communityId, number) {
      const p = s.proposals.find((x) => x.communityId === communityId && x.number === number);
      const r = p && s.resolutions.find((x) => x.proposalId === p.id);
      if (!r) return undefined;
      return { ...r, number, leadUnit: s.units.find((u) => u.id === r.leadUnitId)?.name ?? '' };
    },
    async insertResolution(r) {
      s.resolutions.push({ ...r });
    },
    async updateResolution(id, patch) {
      const index = s.resolutions.findIndex((r) => r.id === id);
      const current = s.resolutions[index];
      if (!current) throw new Error(`no resolution ${id}`);
      s.resolutions[index] = { ...current, ...patch };
    },
    async insertProgressReport(r) {
      s.progressReports.push(r);
    },
    async putSurveyAnswer(a) {
      s.surveyAnswers = s.surveyAnswers.filter(
        (x) => !(x.resolutionId === a.resolutionId && x.voterKey === a.voterKey),
      );
      s.surveyAnswers.push(a);
      return surveyCounts(a.resolutionId);
    },
    surveyCounts: async (resolutionId) => surveyCounts(resolutionId),
    async awardPoints(award, id) {
      const same = (p: MemoryState['points'][number]) =>
        p.residentId === award.residentId && p.kind === award.kind && p.subject === award.subject;
      if (s.points.some(same)) return false;
      s.points.push({ id, ...award });
      return true;
    },
    async appendAudit(entry) {
      s.audit.push(entry);
    },
    async recordPublications(publications, _at, announcement) {
      for (const p of publications) s.outbox.push({ ...p, announcement });
    },
  };
}

/** The store over `state`; `state.current` always holds the last committed state. */
export function memoryStore(state: { current: MemoryState }): DeliberationStore {
  let queue: Promise<unknown> = Promise.resolve();
  // One transaction at a time, on a copy: a throw leaves the committed state untouched.
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };
  const transact = <T>(work: (tx: DeliberationTx) => Promise<T>) =>
    serial(async () => {
      const draft = structuredClone(state.current);
      const result = await work(memoryTx(draft));
      state.current = draft;
      return result;
    });
  return {
    transact,
    once: (key, _at, work) =>
      serial(async () => {
        if (state.current.idempotency.has(key)) {
          return { replayed: true, outcome: state.current.idempotency.get(key) as never };
        }
        const draft = structuredClone(state.current);
        const outcome = await work(memoryTx(draft));
        draft.idempotency.set(key, structuredClone(outcome));
        state.current = draft;
        return { replayed: false, outcome };
      }),
  };
}

export type MemoryCommunity = {
  deps: CoreDeps;
  clock: TestClock;
  state: { current: MemoryState };
  communityId: string;
  /** Resident `i` of household `i` (one resident per household). */
  as(index: number): ActorRef;
  household(index: number): HouseholdRow;
};

/**
 * A community of `households` households in buildings of 10, one resident
 * each. Resident 0 is on the committee, 1 represents building 1, 2 executes
 * for 物业 (the executing unit), 3 supervises, 4 is the street office.
 */
export function memoryCommunity(
  options: { households: number; policy?: Record<string, unknown> } = { households: 10 },
): MemoryCommunity {
  const resolved = resolvePolicy(options.policy ?? {});
  if (!resolved.ok) throw new Error(`bad test policy: ${JSON.stringify(options.policy)}`);
  const clock = testClock();
  let nextId = 1;
  const ids = { next: () => `id-${nextId++}` };
  const offices: Record<number, Role[]> = {
    0: ['resident', 'committee'],
    1: ['resident', 'representative'],
    2: ['resident', 'executor'],
    3: ['resident', 'supervisor'],
    4: ['resident', 'street_office'],
  };
  const households = Array.from({ length: options.households }, (_, i) => {
    const b = Math.floor(i / 10) + 1;
    return { id: `h${i}`, unit: `${101 + (i % 10)}`, buildingId: `b${b}`, building: `${b}` };
  });
  const state: { current: MemoryState } = {
    current: {
      community: {
        id: 'c1',
        name: '和平社区',
        timezone: 'Asia/Shanghai',
        locale: 'zh-CN',
        policy: options.policy ?? {},
      },
      nextNumber: 1,
      households,
      residents: households.map((h, i) => ({
        id: `r${i}`,
        name: `居民${i}`,
        householdId: h.id,
        roles: offices[i] ?? ['resident'],
        executingUnitId: i === 2 ? 'u-property' : null,
      })),
      units: [
        { id: 'u-property', name: '物业' },
        { id: 'u-committee', name: '居委会' },
      ],
      proposals: [],
      cosigns: [],
      eligibility: [],
      ballots: [],
      ballotHistory: [],
      resolutions: [],
      progressReports: [],
      surveyAnswers: [],
      points: [],
      audit: [],
      outbox: [],
      idempotency: new Map(),
    },
  };
  return {
    deps: { clock, ids, store: memoryStore(state) },
    clock,
    state,
    communityId: 'c1',
    as: (index) => ({ kind: 'resident', residentId: `r${index}` }),
    household: (index) => {
      const h = households[index];
      if (!h) throw new Error(`no household ${index}`);
      return h;
    },
  };
}
