/** The harness side of bench/lib/worker-child.ts: spawn, ask, wait for the answer, kill. */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cleanEnv, ROOT } from '../../tests/support/processes.ts';
import { profileFlags } from './child.ts';
import type { WorkerCommand, WorkerReply } from './worker-child.ts';

export type WorkerProcess = {
  child: ChildProcess;
  ready: Extract<WorkerReply, { type: 'ready' }>;
  ask<K extends WorkerReply['type']>(
    command: WorkerCommand,
    expect: K,
    timeoutMs?: number,
  ): Promise<Extract<WorkerReply, { type: K }>>;
  /** The next reply of this type the child sends (or sent already) without asking. */
  waitFor<K extends WorkerReply['type']>(
    expect: K,
    timeoutMs?: number,
  ): Promise<Extract<WorkerReply, { type: K }>>;
  /** Peak RSS so far, from /proc (works while the child is busy). */
  procStatus(): Promise<{ rssBytes: number; peakRssBytes: number }>;
  kill(): Promise<void>;
};

export async function startWorkerProcess(
  env: {
    databaseUrl: string;
    redisUrl: string;
    prefix: string;
    /** Extra environment (BENCH_TELEGRAM_API_ROOT ... for the real push pipeline). */
    extra?: NodeJS.ProcessEnv;
  },
  readyTimeoutMs: number,
): Promise<WorkerProcess> {
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--no-warnings=ExperimentalWarning',
      '--import',
      'tsx',
      ...profileFlags(),
      'bench/lib/worker-child.ts',
    ],
    {
      cwd: ROOT,
      env: {
        ...cleanEnv(),
        DATABASE_URL: env.databaseUrl,
        REDIS_URL: env.redisUrl,
        BENCH_PREFIX: env.prefix,
        ...env.extra,
        ...(process.env.BENCH_QUERY_LOG
          ? { BENCH_QUERY_LOG: `${process.env.BENCH_QUERY_LOG}.worker-child.json` }
          : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr = (stderr + String(d)).slice(-4000);
  });
  child.stdout?.resume();
  // Replies are buffered, so one that arrives before anyone waits for it is not lost.
  const inbox: WorkerReply[] = [];
  const waiting = new Set<() => void>();
  child.on('message', (message: WorkerReply) => {
    inbox.push(message);
    for (const wake of waiting) wake();
  });
  const next = <K extends WorkerReply['type']>(expect: K, timeoutMs: number) =>
    new Promise<Extract<WorkerReply, { type: K }>>((resolve, reject) => {
      const check = () => {
        const i = inbox.findIndex((m) => m.type === expect || m.type === 'error');
        if (i < 0) {
          if (child.exitCode !== null || child.signalCode !== null) {
            cleanup();
            reject(new Error(`worker process exited with ${child.exitCode}: ${stderr}`));
          }
          return;
        }
        const [message] = inbox.splice(i, 1);
        cleanup();
        if (message?.type === 'error') reject(new Error(`worker process: ${message.message}`));
        else resolve(message as Extract<WorkerReply, { type: K }>);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`worker process: no ${expect} within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiting.delete(check);
        child.off('exit', check);
      };
      waiting.add(check);
      child.once('exit', check);
      check();
    });
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    // A profiled child must exit by itself to write its profile; give it a moment.
    if (profileFlags().length > 0) {
      child.send({ cmd: 'close' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      return;
    }
    child.kill('SIGKILL');
    await exited;
  };
  let ready: Extract<WorkerReply, { type: 'ready' }>;
  try {
    ready = await next('ready', readyTimeoutMs);
  } catch (error) {
    await kill();
    throw error;
  }
  return {
    child,
    ready,
    ask(command, expect, timeoutMs = 600_000) {
      const reply = next(expect, timeoutMs);
      child.send(command);
      return reply;
    },
    waitFor: (expect, timeoutMs = 600_000) => next(expect, timeoutMs),
    async procStatus() {
      const { readFile } = await import('node:fs/promises');
      const text = await readFile(`/proc/${child.pid}/status`, 'utf8');
      const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(text)?.[1] ?? 0);
      return { rssBytes: kb('VmRSS') * 1024, peakRssBytes: kb('VmHWM') * 1024 };
    },
    kill,
  };
}
