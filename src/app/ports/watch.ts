/**
 * What the watchfulness rules read and write. A raised alert is a WatchAlert
 * row, an outbox row of the same key (which carries it to every supervisor's
 * private chat) and a `watch.alert` audit entry, in one transaction: the key
 * names the rule, subject and period, so a pattern is raised once per period.
 */
import type { RelayCounts, WatchFinding } from '../../domain/watch.ts';

export type JoinAttemptInput = {
  id: string;
  communityId: string;
  /** The chat account, hashed (it outlives no erasure and names no one). */
  accountHash: string;
  householdId: string;
  at: Date;
};

export type RelayCountsQuery = {
  proposalId: string;
  representativeId: string;
  buildingId: string;
  burstSince: Date;
  /** Start of the vote's last minutes; null when the relay came before them. */
  lastMinutesSince: Date | null;
};

export interface WatchTx {
  /** The community's policy overrides as stored; undefined for an unknown community. */
  policy(communityId: string): Promise<Record<string, unknown> | undefined>;
  relayCounts(
    query: RelayCountsQuery,
  ): Promise<Omit<RelayCounts, 'proposalId' | 'number' | 'representativeId'>>;
  recordJoinAttempt(attempt: JoinAttemptInput): Promise<void>;
  /** Distinct households whose codes this account presented in [since, now]. */
  householdsTried(communityId: string, accountHash: string, since: Date): Promise<number>;
  /** Votes scheduled to open in (from, to]. */
  votesOpening(
    communityId: string,
    from: Date,
    to: Date,
  ): Promise<{ proposalId: string; number: number; votingOpensAt: Date }[]>;
  /** Join codes redeemed in [from, to). */
  joinsBetween(communityId: string, from: Date, to: Date): Promise<number>;
  /** Records the alert, its outbox row and audit entry; false when this key was raised before. */
  raise(communityId: string, finding: WatchFinding, at: Date): Promise<boolean>;
}

export interface WatchStore {
  /** One transaction; with a lock name, one at a time per name (counts then decide). */
  transact<T>(lock: string | null, work: (tx: WatchTx) => Promise<T>): Promise<T>;
}
