/**
 * The watchfulness rules evaluated as the events happen: after a relayed
 * ballot and after each presented join code. Each runs in a transaction of
 * its own just after the event's: a crash between the two loses that one
 * evaluation, and the next event of the same pattern evaluates it again
 * (counts are read from what is stored, not carried along).
 */
import { createHash } from 'node:crypto';
import type { Policy } from '../domain/policy.ts';
import {
  joinCodesFinding,
  joinSurgeFinding,
  relayFindings,
  relayWindows,
  surgeWindows,
  type WatchFinding,
} from '../domain/watch.ts';
import { communityPolicy } from './core.ts';
import type { Clock, IdSource } from './ports/clock.ts';
import type { Platform } from './ports/store.ts';
import type { WatchStore } from './ports/watch.ts';

export type WatchDeps = { clock: Clock; ids: IdSource; watch: WatchStore };

/** The hash a join attempt keeps instead of the account; the same as src/store/personal-data-store.ts. */
export const accountHash = (platform: Platform, userId: string) =>
  createHash('sha256').update(`account/${platform}/${userId}`).digest('hex');

/** After a relayed ballot was recorded: a burst, a large share of the building, the last minutes. */
export async function watchRelay(
  deps: WatchDeps,
  policy: Policy,
  relay: {
    communityId: string;
    proposalId: string;
    number: number;
    votingClosesAt: Date | null;
    representativeId: string;
    buildingId: string;
  },
  now: Date,
): Promise<WatchFinding[]> {
  const windows = relayWindows(policy.watch, now, relay.votingClosesAt);
  return deps.watch.transact(null, async (tx) => {
    const counts = await tx.relayCounts({
      proposalId: relay.proposalId,
      representativeId: relay.representativeId,
      buildingId: relay.buildingId,
      ...windows,
    });
    const raised: WatchFinding[] = [];
    for (const finding of relayFindings(policy.watch, { ...relay, ...counts })) {
      if (await tx.raise(relay.communityId, finding, now)) raised.push(finding);
    }
    return raised;
  });
}

/**
 * After a join code was presented (joined or refused) for a known household:
 * records the attempt, then one account trying several households' codes, and
 * a wave of joins before a vote opens.
 */
export async function watchJoin(
  deps: WatchDeps,
  attempt: {
    communityId: string;
    householdId: string;
    platform: Platform;
    userId: string;
    joined: boolean;
  },
): Promise<WatchFinding[]> {
  const now = deps.clock.now();
  const hash = accountHash(attempt.platform, attempt.userId);
  // One account's attempts in turn, so two at once cannot each count one short of the threshold.
  return deps.watch.transact(`${attempt.communityId}/${hash}`, async (tx) => {
    const policy = communityPolicy({ policy: (await tx.policy(attempt.communityId)) ?? {} }).watch;
    await tx.recordJoinAttempt({
      id: deps.ids.next(),
      communityId: attempt.communityId,
      accountHash: hash,
      householdId: attempt.householdId,
      at: now,
    });
    const findings: WatchFinding[] = [];
    const since = new Date(now.getTime() - policy.joinCodes.withinMs);
    const tried = await tx.householdsTried(attempt.communityId, hash, since);
    const codes = joinCodesFinding(policy, { communityId: attempt.communityId, hash }, tried, now);
    if (codes) findings.push(codes);
    if (attempt.joined) {
      const until = new Date(now.getTime() + policy.joinSurge.beforeMs);
      for (const vote of await tx.votesOpening(attempt.communityId, now, until)) {
        const { recentFrom, baselineFrom } = surgeWindows(policy, vote.votingOpensAt);
        const recent = await tx.joinsBetween(
          attempt.communityId,
          recentFrom,
          new Date(now.getTime() + 1),
        );
        const baseline = await tx.joinsBetween(attempt.communityId, baselineFrom, recentFrom);
        const surge = joinSurgeFinding(policy, vote, recent, baseline);
        if (surge) findings.push(surge);
      }
    }
    const raised: WatchFinding[] = [];
    for (const finding of findings) {
      if (await tx.raise(attempt.communityId, finding, now)) raised.push(finding);
    }
    return raised;
  });
}
