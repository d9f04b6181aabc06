/**
 * The ports the use cases talk through. Adapters (src/store, workers, bots)
 * implement them; tests use in-memory or real implementations. Time and ids
 * enter the core only through Clock and IdSource.
 */
import type { BallotChoice } from '../../domain/ballot.ts';
import type { ProposalStatus } from '../../domain/proposal.ts';
import type { ResolutionStatus } from '../../domain/resolution.ts';
import type { Role } from '../../domain/role.ts';
import type { BallotCounts } from '../../domain/tally.ts';
import type { ChatContext } from './chat-context.ts';
import type { IdSource } from './clock.ts';

export type Platform = 'telegram' | 'slack';

export type CommunityRecord = {
  id: string;
  name: string;
  timezone: string;
  locale: 'zh-CN' | 'en';
  /** The policy overrides as stored (JSON file form); resolve with domain/policy. */
  policy: Record<string, unknown>;
};

export type AuditInput = {
  communityId: string;
  /** Who acted: `resident:<id>`, `cli`, `system`. */
  actor: string;
  /** What happened, dotted: `roster.imported`, `household.joined`. */
  action: string;
  /** What it happened to: `community:<id>`, `household:<id>`. */
  subject: string;
  payload: Record<string, unknown>;
  at: Date;
};

/** A roster row after validation: one resident of one household. */
export type RosterEntry = {
  line: number;
  building: string;
  unit: string;
  name: string;
  roles: Role[];
  executingUnit: string | undefined;
  telegramUserId: string | undefined;
  slackUserId: string | undefined;
};

export type RosterImportSummary = {
  created: number;
  updated: number;
  unchanged: number;
  households: number;
  buildings: number;
};

export type JoinCodeGrant = {
  householdId: string;
  building: string;
  unit: string;
  codeHash: string;
};

export type JoinRedemption =
  | {
      kind: 'joined';
      communityId: string;
      communityName: string;
      building: string;
      unit: string;
      residentId: string;
    }
  | { kind: 'code_unknown' }
  | { kind: 'code_used' }
  | { kind: 'already_linked'; building: string; unit: string };

/** The household a presented code was issued for, also when refused: the watch rules count attempts. */
export type JoinTarget = { communityId: string; householdId: string };

export interface CommunityStore {
  create(community: CommunityRecord, audit: AuditInput): Promise<void>;
  get(id: string): Promise<CommunityRecord | undefined>;
}

export interface RosterStore {
  /**
   * Upserts every entry in one transaction (keyed by building, unit, name);
   * entries equal to what is stored change nothing.
   */
  apply(
    communityId: string,
    entries: readonly RosterEntry[],
    ids: IdSource,
    audit: Omit<AuditInput, 'payload'>,
  ): Promise<RosterImportSummary>;
  /** Every household of the community with its building name, in roster order. */
  households(communityId: string): Promise<{ id: string; building: string; unit: string }[]>;
}

export interface JoinCodeStore {
  /** Stores the new code hashes, revoking earlier unused codes of the same households. */
  replace(
    communityId: string,
    grants: readonly JoinCodeGrant[],
    ids: IdSource,
    audit: Omit<AuditInput, 'payload'>,
  ): Promise<void>;
  /**
   * Consumes the code with this hash and links the chat account to a resident
   * of its household, atomically: a code is used at most once. `target` is the
   * code's household whenever the code exists (joined, used, revoked, already linked).
   */
  redeem(
    codeHash: string,
    identity: { platform: Platform; userId: string },
    ids: IdSource,
    at: Date,
  ): Promise<{ outcome: JoinRedemption; target: JoinTarget | null }>;
}

export type ChatBindingInput = {
  communityId: string;
  platform: Platform;
  chatId: string;
  building: string | undefined;
  /** Forum topic for the cards (Telegram message_thread_id); undefined: the main thread. */
  topic?: string | undefined;
};

export type ChatBindingOutcome =
  | { kind: 'bound'; id: string; buildingId: string | null }
  | { kind: 'building_unknown'; building: string };

/** A bound chat as `yishi chat list` shows it. */
export type BoundChatView = {
  platform: Platform;
  chatId: string;
  /** Building name, null for a community-wide chat. */
  building: string | null;
  /** Chosen with /lang; null: the community's. */
  locale: string | null;
  /** Forum topic the cards go to; null: the main thread. */
  topic: string | null;
  /** False while the platform refuses the bot there (removed, kicked): sends are skipped. */
  reachable: boolean;
  /** Why it is unreachable and since when; null when reachable. */
  problem: { reason: string; at: Date } | null;
};

export interface ChatBindingStore {
  /** Binds (or re-binds) a chat to a community, optional building and optional topic. */
  bind(
    input: ChatBindingInput,
    ids: IdSource,
    audit: Omit<AuditInput, 'payload'>,
  ): Promise<ChatBindingOutcome>;
  /** The community's bound chats, oldest binding first. */
  list(communityId: string): Promise<BoundChatView[]>;
}

// ---------------------------------------------------------------------------
// Deliberation: proposals, co-signs, votes, resolutions, points.

// One vocabulary: the domain's names for states and choices.
export type ProposalStateName = ProposalStatus;
export type Choice = BallotChoice;
export type BallotChannel = 'chat' | 'relay';
export type ResolutionStateName = ResolutionStatus;

/** Who is acting, as a chat adapter or the CLI knows them. */
export type ActorRef =
  | {
      kind: 'chat';
      platform: Platform;
      userId: string;
      chatId: string;
      /**
       * A private chat with the bot, where the account's only community is the
       * context; a group acts only for the community it is bound to.
       */
      isPrivate: boolean;
    }
  | { kind: 'resident'; residentId: string };

/** A resident acting in a community, with what they may do. */
export type Actor = {
  residentId: string;
  name: string;
  householdId: string;
  unit: string;
  buildingId: string;
  building: string;
  roles: Role[];
  executingUnitId: string | null;
  community: CommunityRecord;
};

export type ProposalRecord = {
  id: string;
  communityId: string;
  number: number;
  title: string;
  body: string;
  category: string;
  authorId: string;
  state: ProposalStateName;
  createdAt: Date;
  cosignDeadline: Date;
  cosignThreshold: number;
  cosignCount: number;
  agendaAt: Date | null;
  votingOpensAt: Date | null;
  votingClosesAt: Date | null;
  eligibleCount: number | null;
  closedAt: Date | null;
  tally: BallotCounts | null;
  withdrawnAt: Date | null;
  followUpOf: string | null;
};

export type BallotRecord = {
  proposalId: string;
  voterKey: string;
  choice: Choice;
  channel: BallotChannel;
  castBy: string;
  paperRef: string | null;
  castAt: Date;
};

export type Voter = { voterKey: string; householdId: string; buildingId: string };

export type ResolutionRecord = {
  id: string;
  proposalId: string;
  communityId: string;
  number: number;
  leadUnitId: string;
  leadUnit: string;
  coopUnits: string[];
  dueAt: Date;
  milestones: { title: string; dueAt: string }[];
  state: ResolutionStateName;
  progress: number;
  latestNote: string | null;
  escalationLevel: number;
  assignedAt: Date;
  doneAt: Date | null;
  surveyClosesAt: Date | null;
  evaluatedAt: Date | null;
  satisfiedCount: number | null;
  answeredCount: number | null;
  flagged: boolean;
};

export type PointsAward = {
  communityId: string;
  residentId: string;
  kind: 'propose' | 'cosign' | 'vote' | 'progress_check';
  amount: number;
  /** What earned it, e.g. `proposal:<id>`; one award per resident, kind and subject. */
  subject: string;
  at: Date;
};

/** Who acts, or why nobody can: the account is not linked, or the chat is not bound. */
export type ActorResolution = Actor | { kind: 'not_joined' } | { kind: 'chat_not_bound' };

/** Everything a use case may read or write inside one transaction. */
export interface DeliberationTx {
  /** Resolves who acts; undefined when the chat account is not linked or the chat is not bound. */
  actor(ref: ActorRef): Promise<ActorResolution>;
  community(id: string): Promise<CommunityRecord | undefined>;
  /** Takes the next `#N` for a community (locks the community row until commit). */
  nextProposalNumber(communityId: string): Promise<number>;
  /** Voters of the community as the roster stands now, per the voter unit. */
  voters(communityId: string, unit: 'household' | 'resident'): Promise<Voter[]>;
  proposal(
    communityId: string,
    number: number,
    lock: 'update' | 'share' | 'none',
  ): Promise<ProposalRecord | undefined>;
  proposalById(id: string, lock: 'update' | 'share' | 'none'): Promise<ProposalRecord | undefined>;
  insertProposal(p: ProposalRecord): Promise<void>;
  updateProposal(
    id: string,
    patch: Partial<Omit<ProposalRecord, 'id' | 'communityId' | 'number'>>,
  ): Promise<void>;
  /** Adds a co-sign; false when this voter already co-signed. */
  addCosign(proposalId: string, voterKey: string, residentId: string, at: Date): Promise<boolean>;
  snapshotEligibility(proposalId: string, voters: readonly Voter[]): Promise<void>;
  eligibility(proposalId: string, voterKey: string): Promise<Voter | undefined>;
  /** The counting ballot of a voter, locked until commit. */
  lockBallot(proposalId: string, voterKey: string): Promise<BallotRecord | undefined>;
  /** Stores `ballot` as the counting one; `previous` (if any) moves to the history. */
  putBallot(
    ballot: BallotRecord,
    previous: BallotRecord | undefined,
    historyId: string,
    at: Date,
  ): Promise<void>;
  ballotCounts(proposalId: string): Promise<BallotCounts>;
  /** Household ids in a building of the community, by unit (`3-201`), for relays. */
  householdByUnit(
    communityId: string,
    building: string | null,
    unit: string,
  ): Promise<{ householdId: string; buildingId: string; unit: string }[]>;
  executingUnitByName(
    communityId: string,
    name: string,
  ): Promise<{ id: string; name: string } | undefined>;
  resolution(
    communityId: string,
    number: number,
    lock: 'update' | 'none',
  ): Promise<ResolutionRecord | undefined>;
  insertResolution(r: Omit<ResolutionRecord, 'leadUnit' | 'number'>): Promise<void>;
  updateResolution(
    id: string,
    patch: Partial<
      Pick<
        ResolutionRecord,
        | 'state'
        | 'progress'
        | 'latestNote'
        | 'escalationLevel'
        | 'doneAt'
        | 'surveyClosesAt'
        | 'evaluatedAt'
        | 'satisfiedCount'
        | 'answeredCount'
        | 'flagged'
      >
    >,
  ): Promise<void>;
  insertProgressReport(r: {
    id: string;
    resolutionId: string;
    reporterId: string;
    percent: number;
    note: string;
    at: Date;
  }): Promise<void>;
  /** Records or changes a survey answer; returns the counts after it. */
  putSurveyAnswer(a: {
    resolutionId: string;
    voterKey: string;
    residentId: string;
    satisfied: boolean;
    at: Date;
  }): Promise<{ satisfied: number; answered: number }>;
  surveyCounts(resolutionId: string): Promise<{ satisfied: number; answered: number }>;
  /** Appends to the points ledger; false when this award was already made. */
  awardPoints(award: PointsAward, id: string): Promise<boolean>;
  appendAudit(entry: AuditInput): Promise<void>;
  /**
   * Writes publications to the outbox in this transaction, so they are
   * announced (and the proposal's deadlines re-synced) exactly when the change commits.
   */
  recordPublications(
    publications: readonly { id: string; communityId: string; number: number; kind: string }[],
    at: Date,
    announcement: boolean,
  ): Promise<void>;
}

export interface DeliberationStore {
  /** Runs `work` in one transaction (READ COMMITTED, row locks as the work asks). */
  transact<T>(work: (tx: DeliberationTx) => Promise<T>): Promise<T>;
  /**
   * Runs `work` at most once per idempotency key: a retry with the same key
   * (even concurrent) gets the first outcome back instead of a second effect.
   * Outcomes must be JSON values.
   */
  once<T>(
    key: string,
    at: Date,
    work: (tx: DeliberationTx) => Promise<T>,
  ): Promise<{ replayed: boolean; outcome: T }>;
}

// ---------------------------------------------------------------------------

// ---------------------------------------------------------------------------
// Group commit: many ballots in one transaction (src/app/cast-votes.ts).

/** What a ballot needs to know: may this voter vote here, and what counts for them now. */
export type BallotState = { eligible: boolean; current: BallotRecord | undefined };

/** A ballot to store; `previous` (if any) moves to the history under `historyId`. */
export type BallotWrite = {
  ballot: BallotRecord;
  previous: BallotRecord | undefined;
  historyId: string;
};

/** A ballot of a group commit: the vote it is for and the voter it counts for. */
export type BallotVote = { communityId: string; number: number; voterKey: string };

/** A ballot's vote, locked, and what its voter has there. */
export type LockedBallot = { proposal: ProposalRecord; state: BallotState };

/**
 * The set-based reads and writes of a group commit: each call is one
 * statement whatever the number of ballots; the writes travel together
 * before the commit.
 */
export interface BallotBatchTx {
  /**
   * Locks the votes FOR SHARE, as one ballot does, and then the voters'
   * ballots until commit (in one order fixed for every batch, so two batches
   * wait for each other but cannot deadlock); then reads, as of after the
   * locks, what each voter has there. In the ballots' order; undefined for a
   * vote that does not exist.
   */
  lockVotes(ballots: readonly BallotVote[]): Promise<(LockedBallot | undefined)[]>;
  /**
   * Stores ballots and moves each superseded one to the history; a target's
   * writes come in their order, and its last one counts.
   */
  putBallots(writes: readonly BallotWrite[]): void;
  appendAudits(entries: readonly AuditInput[]): void;
  /** One award per resident, kind and subject: a repeat is ignored. */
  awardPoints(awards: readonly { award: PointsAward; id: string }[]): void;
  recordPublications(
    publications: readonly { id: string; communityId: string; number: number; kind: string }[],
    at: Date,
    announcement: boolean,
  ): void;
}

export interface BallotBatchStore {
  /**
   * One transaction for many ballots with distinct idempotency keys. Its
   * first statement claims the keys and resolves the actors; a key claimed by
   * an earlier (or concurrent) delivery gets that delivery's stored outcome.
   * `work` gets the ballots this transaction claimed (`index` into
   * `ballots`) and returns their outcomes (JSON values) in that order,
   * stored with the claims.
   */
  onceEach<T>(
    ballots: readonly { key: string; actor: ActorRef }[],
    at: Date,
    work: (
      tx: BallotBatchTx,
      claimed: readonly { index: number; actor: ActorResolution }[],
    ) => Promise<readonly T[]>,
  ): Promise<BatchedBallot<T>[]>;
}

/**
 * One ballot of a batch as it came out: its outcome (undefined for a replayed
 * key whose outcome was never stored), and, for a ballot from a group or
 * channel, that chat's context as the claim read it, so the answer can be
 * worded without reading it again.
 */
export type BatchedBallot<T> = { outcome: T | undefined; chat: ChatContext | undefined };
