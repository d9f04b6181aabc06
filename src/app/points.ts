/** `/points`: a resident's balance on the points ledger and their recent entries. */
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
