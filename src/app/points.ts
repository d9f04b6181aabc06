/** `/points`: a resident's balance on the points ledger and their recent entries. */
import { type CoreDeps, isRefusal, type Refusal } from './core.ts';
import { findActor } from './find-actor.ts';
import type { ActorRef } from './ports/store.ts';
import { type PointsView, RECENT_POINTS, type StatusReader } from './status.ts';

export type { PointsView } from './status.ts';

/** The balance (sum of the append-only ledger) and the newest entries, newest first. */
export async function pointsOf(
  reader: Pick<StatusReader, 'points'>,
  input: { residentId: string },
): Promise<PointsView> {
  const { balance, recent } = await reader.points(input.residentId, RECENT_POINTS);
  return {
    residentId: input.residentId,
    balance,
    recent: recent.map((e) => ({
      kind: e.kind,
      amount: e.amount,
      subject: e.subject,
      at: e.at.toISOString(),
    })),
  };
}

export type OwnPointsOutcome = { kind: 'points'; view: PointsView } | Refusal;

/** The points of the person behind a chat account; refused when the account is not linked here. */
export async function ownPoints(
  deps: Pick<CoreDeps, 'store'> & { status: Pick<StatusReader, 'points'> },
  input: { actor: ActorRef },
): Promise<OwnPointsOutcome> {
  const actor = await findActor(deps, input);
  if (isRefusal(actor)) return actor;
  return { kind: 'points', view: await pointsOf(deps.status, { residentId: actor.residentId }) };
}
