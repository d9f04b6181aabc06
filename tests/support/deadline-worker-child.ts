/**
 * A worker process for crash tests: the real workers on the given database,
 * Redis and prefix, printing every push request as a `PUSH {json}` line (so
 * the test can count them across processes). With `HOLD=before|after` it
 * stops inside the first `HOLD_TYPE` job, before or after its effect, prints
 * `HOLDING <jobId>` and waits there to be killed.
 *
 *   node --import tsx tests/support/deadline-worker-child.ts
 */
import { uuidSource } from '../../src/runtime/system.ts';
import { databasePorts } from '../../src/runtime/worker-ports.ts';
import { openDatabase } from '../../src/store/database.ts';
import { startWorkers } from '../../workers/index.ts';
import type { DeadlineJob } from '../../workers/queues.ts';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const hold = process.env.HOLD;
const holdType = process.env.HOLD_TYPE;
const holding = async (job: DeadlineJob, jobId: string) => {
  if (job.type !== holdType) return;
  process.stdout.write(`HOLDING ${jobId}\n`);
  await new Promise(() => {});
};

const db = await openDatabase({ kind: 'postgres', url: env('DATABASE_URL') });
const ports = databasePorts(db);
await startWorkers(
  {
    clock: { now: () => new Date() },
    ids: uuidSource,
    ...ports,
    push: {
      async enqueue(requests, options) {
        for (const request of requests) {
          process.stdout.write(`PUSH ${JSON.stringify({ request, urgent: options.urgent })}\n`);
        }
      },
    },
  },
  {
    connection: env('REDIS_URL'),
    prefix: env('YISHI_PREFIX'),
    stalledIntervalMs: 500,
    lockDurationMs: 1000,
    relay: { pollMs: 50 },
    hooks: {
      ...(hold === 'before' ? { beforeEffect: holding } : {}),
      ...(hold === 'after' ? { afterEffect: holding } : {}),
    },
  },
);
process.stdout.write('READY\n');
