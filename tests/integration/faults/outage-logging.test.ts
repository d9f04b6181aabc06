/**
 * An outage is two log lines, not a stack trace per request (issue 18,
 * done-when line 4): a 10 s Redis outage and a 10 s PostgreSQL outage, with
 * webhooks and health checks arriving all along, each leave at most one
 * warning and one recovery line in the gateway's log, no stack trace, and
 * /metrics counts the outage and its downtime.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageUpdate, userIdOf } from '../../support/telegram.ts';
import { waitFor } from '../../support/workers.ts';
import { GROUP, logLines, type OutageRig, startOutageRig } from './support.ts';

const OUTAGE_MS = 10_000;

describe('outage logging', () => {
  let rig: OutageRig;
  beforeAll(async () => {
    rig = await startOutageRig(4);
  });
  afterAll(() => rig?.close());

  /** Webhooks and health checks while `ms` pass, as Telegram and a load balancer would send. */
  async function traffic(ms: number): Promise<number[]> {
    const statuses: number[] = [];
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const update = messageUpdate({ chatId: GROUP, userId: userIdOf(1), text: '/status' });
      statuses.push(await rig.post(update), (await rig.health()).status);
      await delay(200);
    }
    return statuses;
  }

  const linesAbout = (dependency: string) =>
    logLines(rig.gateway.logs()).filter((l) => l.dependency === dependency);

  it.each([
    ['redis', () => rig.redis.crash(), () => rig.redis.start()],
    ['database', () => rig.pg.crash(), () => rig.pg.start()],
  ] as const)(
    'a 10 s %s outage: one warning, one recovery line, counted in /metrics',
    async (dependency, stop, start) => {
      const before = logLines(rig.gateway.logs()).length;
      await stop();
      const statuses = await traffic(OUTAGE_MS);
      await start();
      await waitFor(
        'the recovery line',
        () => linesAbout(dependency).some((l) => l.msg === `${dependency} reachable again`),
        15_000,
        100,
      );
      // Traffic after the recovery writes no more outage lines.
      await traffic(1_000);

      const lines = logLines(rig.gateway.logs()).slice(before);
      const about = lines.filter((l) => l.dependency === dependency);
      const warnings = about.filter((l) => l.level === 40);
      const recoveries = about.filter((l) => l.msg === `${dependency} reachable again`);
      const traced = lines.filter((l) => JSON.stringify(l).includes('"stack"'));
      const metrics = await rig.metrics();
      const outages = new RegExp(
        `yishi_dependency_outages_total\\{dependency="${dependency}"\\} (\\d+)`,
      ).exec(metrics)?.[1];
      const downtime = new RegExp(
        `yishi_dependency_downtime_seconds_total\\{dependency="${dependency}"\\} ([\\d.]+)`,
      ).exec(metrics)?.[1];
      console.info(
        `${dependency}: ${statuses.length} requests during the outage (${[...new Set(statuses)].join('/')}), ${lines.length} log lines since the stop, ${warnings.length} warning, ${recoveries.length} recovery (downtime ${recoveries[0]?.downtimeMs} ms), ${traced.length} stack traces; /metrics outages ${outages}, downtime ${downtime} s`,
      );
      expect(warnings).toHaveLength(1);
      expect(recoveries).toHaveLength(1);
      expect(traced).toEqual([]);
      expect(Number(outages)).toBe(1);
      expect(Number(downtime)).toBeGreaterThan(OUTAGE_MS / 1000 - 1);
      expect(metrics).toContain(`yishi_dependency_up{dependency="${dependency}"} 1`);
      expect(rig.gateway.child.exitCode).toBeNull();
    },
    60_000,
  );
});
