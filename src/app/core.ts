/**
 * What every deliberation use case shares: dependencies, actor resolution,
 * the community's policy, refusals, and the idempotent transaction wrapper.
 */
import { DEFAULT_POLICY, type Policy, resolvePolicy } from '../domain/policy.ts';
import type { Role } from '../domain/role.ts';
import type { Clock, IdSource } from './ports/clock.ts';
import type { Publication } from './ports/delivery.ts';
import type {
  Actor,
  ActorRef,
  CommunityRecord,
  DeliberationStore,
  DeliberationTx,
} from './ports/store.ts';
import type { WatchStore } from './ports/watch.ts';

export type CoreDeps = {
  clock: Clock;
  ids: IdSource;
  store: DeliberationStore;
  /** The watchfulness rules' store; without it no rule is evaluated (unit tests). */
  watch?: WatchStore | undefined;
};

export type Refusal =
  | { kind: 'not_joined' }
  | { kind: 'chat_not_bound' }
  | {
      kind: 'not_allowed';
      need: Role | 'author_or_committee' | 'lead_unit_executor' | 'own_building';
    }
  | { kind: 'proposal_unknown'; number: number }
  | { kind: 'invalid'; field: string; reason: string };

/** Common input: who acts and, from chat adapters, the update/event id for idempotency. */
export type Command = { actor: ActorRef; idempotencyKey?: string | undefined };

export function policyOf(actor: Pick<Actor, 'community'>): Policy {
  return communityPolicy(actor.community);
}

/**
 * Policies resolved lately, by their stored JSON. Resolving is a schema parse
 * with durations and ratios to read; a storm of 10,000 closes or a burst of
 * ballots resolves the same few policies over and over (a fifth of the
 * worker's CPU in the storm bench went to it). A policy is readonly data, so
 * callers may share one.
 */
const resolvedPolicies = new Map<string, Policy>();
const RESOLVED_POLICIES_KEPT = 512;

/** The community's resolved policy; defaults when the community is unknown. */
export function communityPolicy(community: Pick<CommunityRecord, 'policy'> | undefined): Policy {
  const stored = community?.policy ?? {};
  const key = JSON.stringify(stored);
  const known = resolvedPolicies.get(key);
  if (known) return known;
  const resolved = resolvePolicy(stored);
  // A stored policy was validated when written; fall back rather than fail a vote.
  const policy = resolved.ok ? resolved.policy : DEFAULT_POLICY;
  // Oldest out first: a Map keeps insertion order.
  if (resolvedPolicies.size >= RESOLVED_POLICIES_KEPT) {
    const oldest = resolvedPolicies.keys().next();
    if (!oldest.done) resolvedPolicies.delete(oldest.value);
  }
  resolvedPolicies.set(key, policy);
  return policy;
}

export function voterKeyOf(actor: Actor, policy: Policy): string {
  return policy.voterUnit === 'household' ? actor.householdId : actor.residentId;
}

export const hasRole = (actor: Actor, role: Role) => actor.roles.includes(role);

/** Resolves the actor or says why they cannot act. */
export async function resolveActor(tx: DeliberationTx, ref: ActorRef): Promise<Actor | Refusal> {
  return tx.actor(ref);
}

export const isRefusal = (value: Actor | Refusal): value is Refusal => 'kind' in value;

export const actorLabel = (actor: Actor) => `resident:${actor.residentId}`;

/**
 * Runs a use case in one transaction; with an idempotency key, at most once
 * per key (a retry gets the stored outcome).
 */
export async function run<T>(
  deps: CoreDeps,
  command: Command,
  work: (tx: DeliberationTx, now: Date) => Promise<T>,
): Promise<T> {
  const now = deps.clock.now();
  const withOutbox = (tx: DeliberationTx) =>
    work(tx, now).then((o) => publishing(deps, tx, o, now, false));
  if (command.idempotencyKey === undefined) return deps.store.transact(withOutbox);
  const { outcome } = await deps.store.once(command.idempotencyKey, now, withOutbox);
  return outcome;
}

/** A system transition (a deadline, not a person): one transaction, publications to the outbox. */
export function transition<T>(
  deps: CoreDeps,
  now: Date,
  work: (tx: DeliberationTx) => Promise<T>,
): Promise<T> {
  return deps.store.transact((tx) => work(tx).then((o) => publishing(deps, tx, o, now, true)));
}

/**
 * Records the outcome's publications (if any) in the outbox of the same
 * transaction and returns the outcome unchanged.
 */
export async function publishing<T>(
  deps: Pick<CoreDeps, 'ids'>,
  tx: DeliberationTx,
  outcome: T,
  now: Date,
  announcement: boolean,
): Promise<T> {
  const publish =
    typeof outcome === 'object' && outcome !== null && 'publish' in outcome
      ? (outcome as { publish: unknown }).publish
      : undefined;
  if (Array.isArray(publish) && publish.length > 0) {
    await tx.recordPublications(
      (publish as Publication[]).map((p) => ({ id: deps.ids.next(), ...p })),
      now,
      announcement,
    );
  }
  return outcome;
}

export const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);
