import type { RosterDeps } from './deps.ts';
import { hashJoinCode, normalizeJoinCode } from './join-code.ts';
import type { JoinRedemption, Platform } from './ports/store.ts';
import type { WatchStore } from './ports/watch.ts';
import { watchJoin } from './watch.ts';

export type JoinOutcome = JoinRedemption | { kind: 'code_malformed' };

/** The roster side of /join, and the watch rules' store (none in unit tests). */
export type JoinDeps = Pick<RosterDeps, 'clock' | 'ids' | 'joinCodes'> & {
  watch?: WatchStore | undefined;
};

/**
 * `/join CODE`: links a chat account to the household the code was issued
 * for. A code works once; an unknown, used or malformed code is refused.
 * Every code that names a household, joined or refused, is counted for the
 * watch rules (one account trying several households; a wave before a vote).
 */
export async function joinHousehold(
  deps: JoinDeps,
  input: { platform: Platform; userId: string; code: string },
): Promise<JoinOutcome> {
  const normalized = normalizeJoinCode(input.code);
  if (!normalized) return { kind: 'code_malformed' };
  const { outcome, target } = await deps.joinCodes.redeem(
    hashJoinCode(normalized),
    { platform: input.platform, userId: input.userId },
    deps.ids,
    deps.clock.now(),
  );
  if (target && deps.watch) {
    await watchJoin(
      { clock: deps.clock, ids: deps.ids, watch: deps.watch },
      {
        ...target,
        platform: input.platform,
        userId: input.userId,
        joined: outcome.kind === 'joined',
      },
    );
  }
  return outcome;
}
