/**
 * PostgreSQL stopped hard (`pg_ctl stop -m immediate`) in the middle of a
 * burst of ballots sent by webhook to a gateway process, ten times in a row
 * (issue 18, done-when line 1): the process stays up; while the database is
 * down every update is answered 5xx and /healthz says 503 naming it; once it
 * is back, Telegram's redelivery of every update not answered 200 leaves each
 * ballot counted exactly once.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageUpdate, userIdOf } from '../../support/telegram.ts';
import { waitFor } from '../../support/workers.ts';
import { GROUP, logLines, type OutageRig, startOutageRig, voteOpenNow } from './support.ts';

const VOTERS = 12;
const RUNS = 10;
/** The burst is spread over this long, so the stop lands in its middle. */
const BURST_SPACING_MS = 8;

describe('a PostgreSQL crash during a burst of ballots', () => {
  let rig: OutageRig;
  beforeAll(async () => {
    rig = await startOutageRig(VOTERS);
  });
  afterAll(() => rig?.close());

  it(`keeps the gateway up and counts every ballot once, ${RUNS} runs in a row`, async () => {
    const { c, pg, fake } = rig;
    const figures: string[] = [];
    const repliesPerUpdate: Record<number, number> = {};
    for (let run = 1; run <= RUNS; run++) {
      const number = await voteOpenNow(c, pg);
      const choice = run % 2 === 0 ? 'for' : 'against';
      const updates = c.residents.map((_, i) =>
        messageUpdate({ chatId: GROUP, userId: userIdOf(i), text: `/vote ${number} ${choice}` }),
      );
      const repliesBefore = new Map(
        c.residents.map((_, i) => [i, fake.calls('sendMessage').filter(privateTo(i)).length]),
      );

      // The burst, and the database stopped while it is under way.
      const answers = updates.map(async (update, i) => {
        await delay(i * BURST_SPACING_MS);
        return rig.post(update);
      });
      await delay((VOTERS * BURST_SPACING_MS) / 3);
      await pg.crash();
      const first = await Promise.all(answers);
      const pending = updates.filter((_, i) => first[i] !== 200);

      // During the outage: every delivery 5xx, /healthz 503 naming the database.
      const during = await Promise.all(pending.map((u) => rig.post(u)));
      const health = await rig.health();
      expect(during.every((s) => s >= 500)).toBe(true);
      expect(health.status).toBe(503);
      expect(health.body.down).toContain('db');

      await pg.start();
      const downAt = Date.now();
      await waitFor('the gateway to be healthy again', async () =>
        (await rig.health()).status === 200 ? true : undefined,
      );
      const healthyMs = Date.now() - downAt;
      // Telegram's redelivery: each update not answered 200, again until it is.
      let redeliveries = 0;
      for (const update of pending) {
        for (let tries = 1; ; tries++) {
          redeliveries++;
          if ((await rig.post(update)) === 200) break;
          if (tries >= 10) throw new Error(`update ${update.update_id} never answered 200`);
          await delay(100 * tries);
        }
      }
      expect(rig.gateway.child.exitCode).toBeNull();

      const proposal = await pg.prisma.proposal.findFirstOrThrow({
        where: { communityId: c.id, number },
      });
      const ballots = await pg.prisma.ballot.findMany({ where: { proposalId: proposal.id } });
      const history = await pg.prisma.ballotHistory.count({ where: { proposalId: proposal.id } });
      const cast = await pg.prisma.auditEntry.count({
        where: { communityId: c.id, action: 'ballot.cast', at: { gte: proposal.createdAt } },
      });
      const voted = await pg.prisma.pointsEntry.count({
        where: { communityId: c.id, kind: 'vote', at: { gte: proposal.createdAt } },
      });
      expect(ballots).toHaveLength(VOTERS);
      expect(ballots.every((b) => b.choice === choice)).toBe(true);
      expect(history).toBe(0);
      expect(cast).toBe(VOTERS);
      expect(voted).toBe(VOTERS);

      // Replies: wait for each update's private confirmation, then count them.
      await fake
        .until(
          (f) =>
            c.residents.every(
              (_, i) =>
                f.calls('sendMessage').filter(privateTo(i)).length > (repliesBefore.get(i) ?? 0),
            ),
          3_000,
        )
        .catch(() => {});
      const replies = c.residents.map(
        (_, i) =>
          fake.calls('sendMessage').filter(privateTo(i)).length - (repliesBefore.get(i) ?? 0),
      );
      for (const n of replies) repliesPerUpdate[n] = (repliesPerUpdate[n] ?? 0) + 1;
      figures.push(
        `run ${run}: ${VOTERS - pending.length} answered 200 before the stop, ${pending.length} not (all ${during.join('/') || '-'} during the outage), healthy ${healthyMs} ms after the start, ${redeliveries} redeliveries, replies per update ${replies.join('')}`,
      );
    }
    console.info(
      `${figures.join('\n')}\nupdates by number of replies: ${JSON.stringify(repliesPerUpdate)}`,
    );
    const lines = logLines(rig.gateway.logs());
    const warnings = lines.filter(
      (l) => l.msg === 'database unreachable: requests that need it fail until it is back',
    );
    const recoveries = lines.filter((l) => l.msg === 'database reachable again');
    const traced = lines.filter((l) => JSON.stringify(l).includes('"stack"'));
    console.info(
      `log: ${lines.length} lines, ${warnings.length} database warnings, ${recoveries.length} recoveries, ${traced.length} with a stack trace`,
    );
    expect(traced.map((l) => JSON.stringify(l).slice(0, 1500))).toEqual([]);
    expect(warnings).toHaveLength(RUNS);
    expect(recoveries).toHaveLength(RUNS);
    expect(rig.gateway.child.exitCode).toBeNull();
  }, 240_000);
});

const privateTo = (index: number) => (call: { params: Record<string, unknown> }) =>
  call.params.chat_id === userIdOf(index);
