/**
 * One push worker in a process of its own (for the test that proves the
 * rate limits hold across processes). Configured by the JSON in
 * `PUSH_CHILD`; prints `push worker ready` once it runs, and on SIGTERM
 * closes and prints one `push worker stats {...}` line with its outcomes.
 */
import { openDatabase } from '../../src/store/database.ts';
import type { PushLimits } from '../../workers/push/limits.ts';
import { startHarnessWorker } from './push-harness.ts';

type ChildConfig = {
  databaseUrl: string;
  apiRoot: string;
  slackApiUrl?: string;
  prefix: string;
  limits: PushLimits;
  concurrency: number;
};

const config = JSON.parse(process.env.PUSH_CHILD ?? '') as ChildConfig;
const db = await openDatabase({ kind: 'postgres', url: config.databaseUrl });
const outcomes: Record<string, number> = {};
const worker = startHarnessWorker({
  db,
  apiRoot: config.apiRoot,
  slackApiUrl: config.slackApiUrl,
  prefix: config.prefix,
  limits: config.limits,
  concurrency: config.concurrency,
  onEvent: (event) => {
    outcomes[event.outcome] = (outcomes[event.outcome] ?? 0) + 1;
  },
});
process.once('SIGTERM', async () => {
  await worker.close();
  await db.close();
  process.stdout.write(`push worker stats ${JSON.stringify(outcomes)}\n`);
  process.exit(0);
});
await worker.ready();
process.stdout.write('push worker ready\n');
