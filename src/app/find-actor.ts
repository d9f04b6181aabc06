import { type CoreDeps, isRefusal, type Refusal } from './core.ts';
import type { Actor, ActorRef } from './ports/store.ts';

/**
 * The person behind a chat account as the use cases see them (roles,
 * household, community), or why they cannot act (`not_joined`,
 * `chat_not_bound`). Read-only: for views such as `/help`.
 */
export async function findActor(
  deps: Pick<CoreDeps, 'store'>,
  input: { actor: ActorRef },
): Promise<Actor | Refusal> {
  return deps.store.transact((tx) => tx.actor(input.actor));
}

/** The person, or undefined when the account is not linked (or the chat not bound). */
export async function linkedActor(
  deps: Pick<CoreDeps, 'store'>,
  input: { actor: ActorRef },
): Promise<Actor | undefined> {
  const found = await findActor(deps, input);
  return isRefusal(found) ? undefined : found;
}
