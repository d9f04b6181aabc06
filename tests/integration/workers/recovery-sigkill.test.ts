/**
 * A worker killed with SIGKILL in the middle of a job: once its lock lapses
 * the stalled job runs again in another worker, completes, and its effect
 * (closing the vote, publishing the result) happens once (issue #5,
 * done-when line 4).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { castVote } from '../../../src/app/cast-vote.ts';
import { cosign } from '../../../src/app/cosign.ts';
import { propose } from '../../../src/app/propose.ts';
import type { PushRequest } from '../../../workers/push/push-request.ts';
import { seedCommunity } from '../../support/community.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { cleanEnv, ROOT } from '../../support/processes.ts';
import {
  auditOf,
  bindChats,
  REDIS_URL,
  startTestWorkers,
  type TestWorkers,
  waitFor,
} from '../../support/workers.ts';

type Child = { process: ChildProcess; lines: string[] };

async function startChild(env: Record<string, string>): Promise<Child> {
  const child = spawn(
    process.execPath,
    [
      '--no-warnings=ExperimentalWarning',
      '--import',
      'tsx',
      'tests/support/deadline-worker-child.ts',
    ],
    { cwd: ROOT, env: { ...cleanEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  let rest = '';
  let errors = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString()).split('\n');
    rest = parts.pop() ?? '';
    lines.push(...parts);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
  });
  await waitFor('the worker process to start', () => lines.includes('READY') || undefined, 30_000);
  if (child.exitCode !== null) throw new Error(errors);
  return { process: child, lines };
}

const pushesOf = (child: Child): PushRequest[] =>
  child.lines
    .filter((l) => l.startsWith('PUSH '))
    .map((l) => (JSON.parse(l.slice(5)) as { request: PushRequest }).request);

describe('a worker killed mid-job', () => {
  let db: TestDatabase;
  const running: (Child | TestWorkers)[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    for (const r of running) {
      if ('lines' in r) r.process.kill('SIGKILL');
      else await r.close();
    }
    await db.drop();
  });

  it.each(['after', 'before'] as const)(
    'SIGKILL %s the vote closes: the job completes after the stall interval, the effect happens once',
    async (hold) => {
      const c = await seedCommunity(db, {
        households: 10,
        realClock: true,
        policy: { noticePeriod: '1s', votingWindow: '2s', quietHours: null },
      });
      await bindChats(db, c.id, [{ platform: 'telegram', chatId: '-100777' }]);
      const prefix = `t-${randomUUID()}`;
      const child = await startChild({
        DATABASE_URL: db.url,
        REDIS_URL,
        YISHI_PREFIX: prefix,
        HOLD: hold,
        HOLD_TYPE: 'vote_close',
      });
      running.push(child);

      const proposed = await propose(c.deps, { actor: c.as(0), title: '小区停车管理' });
      if (proposed.kind !== 'proposed') throw new Error(proposed.kind);
      for (let i = 1; i < proposed.threshold; i++) {
        await cosign(c.deps, { actor: c.as(i), number: proposed.number });
      }
      const where = { communityId: c.id, number: proposed.number };
      await waitFor('the vote to open', async () =>
        (await db.prisma.proposal.findFirstOrThrow({ where })).state === 'voting'
          ? true
          : undefined,
      );
      for (let i = 0; i < 8; i++) {
        await castVote(c.deps, { actor: c.as(i), number: proposed.number, choice: 'for' });
      }

      const holdingLine = await waitFor('the worker to stop inside the close job', () =>
        child.lines.find((l) => l.startsWith('HOLDING ')),
      );
      const jobId = holdingLine.slice('HOLDING '.length);
      if (hold === 'after') {
        // The close committed; its relay has published the result before the crash.
        await waitFor('the result to be relayed', async () => {
          const row = await db.prisma.outbox.findFirst({
            where: { ...where, kind: 'result_card' },
          });
          return row?.relayedAt ? true : undefined;
        });
      } else {
        expect((await db.prisma.proposal.findFirstOrThrow({ where })).state).toBe('voting');
      }
      child.process.kill('SIGKILL');
      await once(child.process, 'exit');
      const killedAt = Date.now();

      const workers = await startTestWorkers(db, {
        prefix,
        stalledIntervalMs: 500,
        lockDurationMs: 1000,
      });
      running.push(workers);
      expect(await workers.queue.getJobState(jobId)).toBe('active');
      await waitFor('the stalled job to complete', async () =>
        (await workers.queue.getJobState(jobId)) === 'completed' ? true : undefined,
      );
      const recoveredMs = Date.now() - killedAt;
      await waitFor('the result to be relayed', async () => {
        const rows = await db.prisma.outbox.findMany({ where: { ...where, kind: 'result_card' } });
        return rows.length > 0 && rows.every((r) => r.relayedAt) ? true : undefined;
      });
      await workers.relay?.relayOnce();
      const job = await workers.queue.getJob(jobId);
      console.info(
        `killed ${hold} the effect: completed ${recoveredMs} ms after SIGKILL, attempts started ${job?.attemptsStarted}, result ${JSON.stringify(job?.returnvalue)}`,
      );

      expect((await db.prisma.proposal.findFirstOrThrow({ where })).state).toBe('passed');
      expect(await auditOf(db, c.id, 'vote.closed')).toHaveLength(1);
      expect(await db.prisma.outbox.count({ where: { ...where, kind: 'result_card' } })).toBe(1);
      const results = [...pushesOf(child), ...workers.push.pushes.map((p) => p.request)].filter(
        (r) => r.kind === 'card' && r.card === 'result_card' && r.communityId === c.id,
      );
      expect(results).toHaveLength(1);
      // Run twice: the first attempt died with the process.
      expect(job?.attemptsStarted).toBeGreaterThanOrEqual(2);
      await workers.close();
      running.splice(running.indexOf(workers), 1);
    },
  );
});
