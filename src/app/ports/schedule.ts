/**
 * What the deadline workers read and record, beyond the deliberation ports:
 * the subjects whose deadlines are pending, the chats a notice goes to, the
 * outbox feed, and the ledger that makes each notice happen once.
 * Implemented with Prisma in src/store/schedule-store.ts.
 */
import type { LadderAudience } from '../../domain/escalation.ts';
import type { VoterUnit } from '../../domain/policy.ts';
import type { BallotCounts } from '../../domain/tally.ts';
import type { ChatTarget } from './delivery.ts';
import type {
  AuditInput,
  CommunityRecord,
  Platform,
  ProposalRecord,
  ProposalStateName,
  ResolutionRecord,
} from './store.ts';

/** A proposal with its community and resolution (if any): everything a deadline plan needs. */
export type DeadlineSubject = {
  community: CommunityRecord;
  proposal: ProposalRecord;
  resolution: ResolutionRecord | null;
};

/** A community as the digest plans it: no digest falls at or before `createdAt`. */
export type ScheduledCommunity = CommunityRecord & { createdAt: Date };

/** `boundAt`: a notice due before it (the digest) is not this chat's. */
export type BoundChat = {
  platform: Platform;
  chatId: string;
  locale: string | null;
  boundAt: Date;
};

export interface ScheduleReader {
  subject(communityId: string, number: number): Promise<DeadlineSubject | undefined>;
  subjectById(proposalId: string): Promise<DeadlineSubject | undefined>;
  /** Several subjects at once (those that exist), by community and number. */
  subjects(refs: readonly { communityId: string; number: number }[]): Promise<DeadlineSubject[]>;
  /**
   * Subjects that may have pending deadlines (proposal collecting, noticed or
   * voting; resolution unfinished or surveying), `limit` at a time in
   * proposal id order after `afterId`.
   */
  pendingSubjects(afterId: string | null, limit: number): Promise<DeadlineSubject[]>;
  /**
   * {@link pendingSubjects} narrowed to those that may have a deadline due at
   * or before `until`: a co-sign deadline, vote opening or survey close by
   * then, or a vote closing or resolution due time by `until + leadMs`
   * (`leadMs`: the longest a reminder comes before, or an escalation level
   * after a negative offset comes before, its time). May include subjects
   * with no such deadline (notices already sent); never leaves one out.
   */
  subjectsDueBy(
    until: Date,
    leadMs: number,
    afterId: string | null,
    limit: number,
  ): Promise<DeadlineSubject[]>;
  /** Every community (for the weekly digest), `limit` at a time in id order after `afterId`. */
  communities(afterId: string | null, limit: number): Promise<ScheduledCommunity[]>;
  community(id: string): Promise<ScheduledCommunity | undefined>;
  /** The keys among `keys` recorded in NoticeSent. */
  sentNotices(keys: readonly string[]): Promise<Set<string>>;
  bindings(communityId: string): Promise<BoundChat[]>;
  /** {@link bindings} of several communities in one read (the outbox relay's batches). */
  bindingsOf(communityIds: readonly string[]): Promise<Map<string, BoundChat[]>>;
  /**
   * Private chats (linked chat identities) of every eligible voter of the
   * vote who has no counting ballot yet: for a household voter, each linked
   * resident of the household.
   */
  nonVoterChats(proposalId: string, voterUnit: VoterUnit): Promise<ChatTarget[]>;
  /** Private chats of the people in `audience` (lead unit = executors of `leadUnitId`). */
  audienceChats(
    communityId: string,
    leadUnitId: string,
    audience: readonly LadderAudience[],
  ): Promise<ChatTarget[]>;
}

/** A row of the transactional outbox. */
export type OutboxRow = {
  id: string;
  communityId: string;
  number: number;
  kind: string;
  announcement: boolean;
  createdAt: Date;
  /** For a chat event (kind chat_restored, number 0): the chat it is about. */
  chatPlatform?: Platform | null;
  chatId?: string | null;
};

/** A wake-up subscription; closing it ends the listening. */
export type OutboxWatch = { close(): Promise<void> };

export interface OutboxFeed {
  /**
   * Up to `limit` rows not relayed yet, but for those `excluding` names (rows
   * in flight), oldest first, except that system announcements other than
   * result cards (the vote-card edit after a close, the cards of a vote
   * opening) wait behind everything else: a person's own changes, watch
   * alerts and chat events, and results. A storm of closes writes a result
   * card and a vote-card edit per vote; residents learn the outcomes first,
   * and the closed votes' buttons go after (a press meanwhile is answered
   * that the vote has closed). A card's system rows keep their order.
   */
  pending(limit: number, excluding?: readonly string[]): Promise<OutboxRow[]>;
  markRelayed(ids: readonly string[], at: Date): Promise<void>;
  /**
   * Calls `wake` soon after any process commits outbox rows (and once it is
   * listening). Absent where the database cannot tell: the relay then polls.
   */
  watch?(wake: () => void): OutboxWatch;
}

/** What recording a notice may change, inside the transaction that records it. */
export interface NoticeTx {
  /** The resolution of a proposal, locked until commit. */
  lockResolution(
    proposalId: string,
  ): Promise<Pick<ResolutionRecord, 'id' | 'state' | 'escalationLevel'> | undefined>;
  setEscalationLevel(resolutionId: string, level: number): Promise<void>;
  appendAudit(entry: AuditInput): Promise<void>;
  /** Outbox rows (system announcements) committed with the notice. */
  recordPublications(
    publications: readonly { id: string; communityId: string; number: number; kind: string }[],
    at: Date,
  ): Promise<void>;
}

export interface NoticeLedger {
  /**
   * Records `key` in NoticeSent and runs `work` in the same transaction.
   * When the key is already recorded nothing runs: `{ recorded: false }`.
   */
  record<T>(
    key: string,
    at: Date,
    work: (tx: NoticeTx) => Promise<T>,
  ): Promise<{ recorded: true; outcome: T } | { recorded: false }>;
}

/**
 * What closing many votes in one transaction reads and writes: the set-based
 * twin of the deliberation ports `closeVote` uses, so a storm of votes due at
 * the same instant costs a few statements per batch instead of several per vote.
 */
export interface VoteCloseTx {
  /** The proposals among `targets` that exist, locked FOR UPDATE (in id order) until commit. */
  lockProposals(
    targets: readonly { communityId: string; number: number }[],
  ): Promise<ProposalRecord[]>;
  communities(ids: readonly string[]): Promise<CommunityRecord[]>;
  /** Counting ballots per choice of each proposal (proposals without ballots may be absent). */
  ballotCounts(proposalIds: readonly string[]): Promise<Map<string, BallotCounts>>;
  /** Sets each proposal's final state and tally, closed at `closedAt`. */
  closeProposals(
    rows: readonly { id: string; state: ProposalStateName; tally: BallotCounts }[],
    closedAt: Date,
  ): Promise<void>;
  appendAudits(entries: readonly AuditInput[]): Promise<void>;
  /** Outbox rows committed with the closes (system announcements). */
  recordPublications(
    publications: readonly { id: string; communityId: string; number: number; kind: string }[],
    at: Date,
  ): Promise<void>;
}

export interface VoteCloseStore {
  /** Runs `work` in one transaction (retried on deadlock or serialization failure). */
  transact<T>(work: (tx: VoteCloseTx) => Promise<T>): Promise<T>;
  /** Votes still open whose closing time is at or before `now`, earliest first, at most `limit`. */
  dueVotes(now: Date, limit: number): Promise<{ communityId: string; number: number }[]>;
}
