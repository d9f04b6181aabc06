/**
 * Committee settings changed from the command line: the board's link key
 * (`yishi board link [--rotate]`) and the community's policy (`yishi community
 * policy`). Both are audited; the new policy is validated like `community
 * create --policy` before anything is written.
 */
import { resolvePolicy } from '../domain/policy.ts';
import type { Clock, RandomSource } from './ports/clock.ts';
import type { AuditInput, CommunityRecord } from './ports/store.ts';

/** Where the settings live (implemented in src/store/community-settings-store.ts). */
export interface CommunitySettingsStore {
  community(
    communityId: string,
  ): Promise<(CommunityRecord & { boardKey: string | null }) | undefined>;
  /** Sets the link key and appends the audit entry, in one transaction. */
  setBoardKey(communityId: string, key: string, audit: AuditInput): Promise<void>;
  /** Replaces the stored policy overrides and appends the audit entry, in one transaction. */
  setPolicy(communityId: string, policy: Record<string, unknown>, audit: AuditInput): Promise<void>;
}

export type SettingsDeps = { clock: Clock; random: RandomSource; settings: CommunitySettingsStore };

const KEY_ALPHABET = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
/** 24 characters of 57: about 140 bits, unguessable. */
const KEY_LENGTH = 24;

export type BoardLinkOutcome =
  | { kind: 'link'; key: string; rotated: boolean; access: 'public' | 'link' | 'off' }
  | { kind: 'community_unknown'; communityId: string };

/** The board's link key, made on first use; `rotate` replaces it so the old link answers 404. */
export async function boardLink(
  deps: SettingsDeps,
  input: { communityId: string; rotate: boolean },
): Promise<BoardLinkOutcome> {
  const community = await deps.settings.community(input.communityId);
  if (!community) return { kind: 'community_unknown', communityId: input.communityId };
  const policy = resolvePolicy(community.policy);
  const access = policy.ok ? policy.policy.board : 'link';
  if (community.boardKey !== null && !input.rotate) {
    return { kind: 'link', key: community.boardKey, rotated: false, access };
  }
  const key = deps.random
    .ints(KEY_LENGTH, KEY_ALPHABET.length)
    .map((i) => KEY_ALPHABET[i])
    .join('');
  await deps.settings.setBoardKey(community.id, key, {
    communityId: community.id,
    actor: 'cli',
    action: community.boardKey === null ? 'board.link_created' : 'board.link_rotated',
    subject: `community:${community.id}`,
    // The key itself stays out of the log: the log is for reading, the key is a password.
    payload: {},
    at: deps.clock.now(),
  });
  return { kind: 'link', key, rotated: community.boardKey !== null, access };
}

export type PolicyChange =
  | { kind: 'set'; assignments: readonly { key: string; value: unknown }[] }
  | { kind: 'replace'; policy: unknown };

export type ChangePolicyOutcome =
  | { kind: 'changed'; policy: Record<string, unknown>; changedKeys: string[] }
  | { kind: 'unchanged' }
  | { kind: 'invalid'; errors: readonly string[] }
  | { kind: 'community_unknown'; communityId: string };

/** `a.b=1` sets `{ a: { b: 1 } }` over the current overrides. */
function assign(
  target: Record<string, unknown>,
  path: string,
  value: unknown,
): Record<string, unknown> {
  const [head = '', ...rest] = path.split('.');
  if (rest.length === 0) return { ...target, [head]: value };
  const inner = target[head];
  const base =
    typeof inner === 'object' && inner !== null && !Array.isArray(inner)
      ? (inner as Record<string, unknown>)
      : {};
  return { ...target, [head]: assign(base, rest.join('.'), value) };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Changes a community's policy overrides, refusing any value `community create --policy` would refuse. */
export async function changePolicy(
  deps: SettingsDeps,
  input: { communityId: string; change: PolicyChange },
): Promise<ChangePolicyOutcome> {
  const community = await deps.settings.community(input.communityId);
  if (!community) return { kind: 'community_unknown', communityId: input.communityId };
  let next: unknown;
  if (input.change.kind === 'replace') {
    next = input.change.policy;
  } else {
    next = input.change.assignments.reduce<Record<string, unknown>>(
      (acc, a) => assign(acc, a.key, a.value),
      { ...community.policy },
    );
  }
  const resolved = resolvePolicy(next);
  if (!resolved.ok) return { kind: 'invalid', errors: resolved.errors };
  const policy = next as Record<string, unknown>;
  const keys = new Set([...Object.keys(community.policy), ...Object.keys(policy)]);
  const changedKeys = [...keys].filter((k) => !same(community.policy[k], policy[k])).sort();
  if (changedKeys.length === 0) return { kind: 'unchanged' };
  await deps.settings.setPolicy(community.id, policy, {
    communityId: community.id,
    actor: 'cli',
    action: 'community.policy_changed',
    subject: `community:${community.id}`,
    payload: { before: community.policy, after: policy, changed: changedKeys },
    at: deps.clock.now(),
  });
  return { kind: 'changed', policy, changedKeys };
}
