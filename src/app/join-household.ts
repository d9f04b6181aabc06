import type { RosterDeps } from './deps.ts';
import { hashJoinCode, normalizeJoinCode } from './join-code.ts';
import type { JoinRedemption, Platform } from './ports/store.ts';

export type JoinOutcome = JoinRedemption | { kind: 'code_malformed' };

/**
 * `/join CODE`: links a chat account to the household the code was issued
 * for. A code works once; an unknown, used or malformed code is refused.
 */
export async function joinHousehold(
  deps: Pick<RosterDeps, 'clock' | 'ids' | 'joinCodes'>,
  input: { platform: Platform; userId: string; code: string },
): Promise<JoinOutcome> {
  const normalized = normalizeJoinCode(input.code);
  if (!normalized) return { kind: 'code_malformed' };
  return deps.joinCodes.redeem(
    hashJoinCode(normalized),
    { platform: input.platform, userId: input.userId },
    deps.ids,
    deps.clock.now(),
  );
}
