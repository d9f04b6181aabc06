/**
 * A worker process of the product for the memory and recovery scenarios:
 * `startWorkers` on the scenario's database and Redis (as the composition
 * root runs it), driven over IPC so the harness can ask it to schedule, to
 * run a reconcile pass, or for its memory, and can kill it by pid.
 *
 *   env DATABASE_URL, REDIS_URL, BENCH_PREFIX; spawned with an IPC channel.
 */
import { randomUUID } from 'node:crypto';
import { Api } from 'grammy';
import { z } from 'zod';
import { createTelegramSender } from '../../bots/telegram/sender.ts';
import type { ChatSender } from '../../src/app/ports/delivery.ts';
import type { Platform } from '../../src/app/ports/store.ts';
import { databasePorts } from '../../src/runtime/worker-ports.ts';
import { openDatabase } from '../../src/store/database.ts';
import { startWorkers } from '../../workers/index.ts';
import { plannedProposals, scheduleDirectly } from './fast-schedule.ts';
import { countingPushQueue } from './product-workers.ts';
import { communitySet } from './seed.ts';
import { benchSlackSender } from './slack-sender.ts';

export const WorkerCommandSchema = z.discriminatedUnion('cmd', [
  z.object({
    cmd: z.literal('schedule'),
    tag: z.number().int(),
    communities: z.number().int(),
    perCommunity: z.number().int(),
    firstMs: z.number(),
    stepMs: z.number().int(),
    state: z.enum(['collecting', 'noticed', 'voting']).default('collecting'),
    votingMs: z.number().int().optional(),
  }),
  z.object({ cmd: z.literal('reconcile') }),
  z.object({ cmd: z.literal('memory') }),
  z.object({ cmd: z.literal('stats') }),
  z.object({ cmd: z.literal('close') }),
]);
export type WorkerCommand = z.input<typeof WorkerCommandSchema>;

export type WorkerReply =
  | { type: 'ready'; ms: number }
  | { type: 'scheduled'; jobs: number; ms: number }
  | { type: 'reconciled'; deadlines: number; subjects: number; ms: number }
  | { type: 'memory'; rssBytes: number; heapUsedBytes: number; peakRssBytes: number }
  | { type: 'stats'; pushOutcomes: Record<string, number> }
  | { type: 'error'; message: string };

const send = (reply: WorkerReply) => process.send?.(reply);

async function main(): Promise<void> {
  const env = z
    .object({
      DATABASE_URL: z.string(),
      REDIS_URL: z.string(),
      BENCH_PREFIX: z.string(),
      // Set: the real push queue and worker, posting to these (fake) platforms.
      BENCH_TELEGRAM_API_ROOT: z.string().optional(),
      BENCH_TELEGRAM_TOKEN: z.string().optional(),
      BENCH_SLACK_API_URL: z.string().optional(),
      BENCH_SLACK_TOKEN: z.string().optional(),
      // Set: the real push queue without its worker (pushes are queued in Redis, not sent).
      BENCH_PUSH_QUEUE: z.literal('queue-only').optional(),
    })
    .parse(process.env);
  const db = await openDatabase({ kind: 'postgres', url: env.DATABASE_URL });
  const ports = databasePorts(db);
  const started = performance.now();
  // A reconcile pass ends with this log line (the start-up pass and every later one).
  const log = {
    info(fields: Record<string, unknown>, message: string) {
      if (message !== 'deadlines reconciled') return;
      send({
        type: 'reconciled',
        deadlines: Number(fields.deadlines ?? 0),
        subjects: Number(fields.subjects ?? 0),
        ms: Number(fields.ms ?? 0),
      });
    },
    warn() {},
    error(fields: Record<string, unknown>, message: string) {
      process.stderr.write(`${message} ${JSON.stringify(fields)}\n`);
    },
  };
  const pushOutcomes: Record<string, number> = {};
  const realPushes = env.BENCH_TELEGRAM_API_ROOT !== undefined;
  const queueOnly = !realPushes && env.BENCH_PUSH_QUEUE === 'queue-only';
  const senders: Partial<Record<Platform, ChatSender>> = {};
  if (env.BENCH_TELEGRAM_API_ROOT && env.BENCH_TELEGRAM_TOKEN) {
    senders.telegram = createTelegramSender(
      new Api(env.BENCH_TELEGRAM_TOKEN, { apiRoot: env.BENCH_TELEGRAM_API_ROOT }),
    );
  }
  if (env.BENCH_SLACK_API_URL && env.BENCH_SLACK_TOKEN) {
    senders.slack = benchSlackSender(env.BENCH_SLACK_API_URL, env.BENCH_SLACK_TOKEN);
  }
  const workers = await startWorkers(
    {
      clock: { now: () => new Date() },
      ids: { next: () => randomUUID() },
      store: ports.store,
      reader: ports.reader,
      ledger: ports.ledger,
      feed: ports.feed,
      closer: ports.closer,
      log,
      ...(realPushes
        ? { notices: ports.notices, deliveries: ports.deliveries, senders }
        : queueOnly
          ? {}
          : { push: countingPushQueue() }),
    },
    {
      connection: env.REDIS_URL,
      prefix: env.BENCH_PREFIX,
      reconcileIntervalMs: 3_600_000,
      pushes: {
        ...(queueOnly ? { worker: false } : {}),
        onEvent: (event) => {
          pushOutcomes[event.outcome] = (pushOutcomes[event.outcome] ?? 0) + 1;
        },
      },
    },
  );
  // The start-up reconcile pass is now running; it reports through the log when it ends.
  send({ type: 'ready', ms: performance.now() - started });

  process.on('message', (raw) => {
    const parsed = WorkerCommandSchema.safeParse(raw);
    if (!parsed.success) {
      send({ type: 'error', message: parsed.error.message });
      return;
    }
    void handle(parsed.data).catch((error: unknown) =>
      send({ type: 'error', message: String(error) }),
    );
  });

  async function handle(command: z.output<typeof WorkerCommandSchema>): Promise<void> {
    const t0 = performance.now();
    switch (command.cmd) {
      case 'schedule': {
        const set = communitySet(command.tag, command.communities, 0);
        const jobs = await scheduleDirectly(
          workers.scheduler,
          plannedProposals(set, {
            perCommunity: command.perCommunity,
            state: command.state,
            first: new Date(command.firstMs),
            stepMs: command.stepMs,
            ...(command.votingMs === undefined ? {} : { votingMs: command.votingMs }),
          }),
        );
        send({ type: 'scheduled', jobs, ms: performance.now() - t0 });
        return;
      }
      case 'reconcile':
        // The pass reports through the log when it ends.
        await workers.reconciler.runNow();
        return;
      case 'memory': {
        const gc = (globalThis as { gc?: () => void }).gc;
        gc?.();
        const usage = process.memoryUsage();
        send({
          type: 'memory',
          rssBytes: usage.rss,
          heapUsedBytes: usage.heapUsed,
          peakRssBytes: process.resourceUsage().maxRSS * 1024,
        });
        return;
      }
      case 'stats':
        send({ type: 'stats', pushOutcomes });
        return;
      case 'close':
        await workers.close();
        await db.close();
        process.exit(0);
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    send({ type: 'error', message: String(error) });
    process.exit(1);
  });
}
