/**
 * Push workers in processes of their own (tests/support/push-worker-child.ts),
 * for the tests that prove the rate limits hold across processes, and the
 * arithmetic those tests check the fake's request log with.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cleanEnv, ROOT } from './processes.ts';

export type PushChild = { process: ChildProcess; output: () => string };

/** Starts a worker configured by `config` (JSON); resolves once it says it is ready. */
export async function startPushChild(config: object): Promise<PushChild> {
  const child = spawn(
    process.execPath,
    ['--no-warnings', '--import', 'tsx', 'tests/support/push-worker-child.ts'],
    { cwd: ROOT, env: { ...cleanEnv(), PUSH_CHILD: JSON.stringify(config) } },
  );
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  await new Promise<void>((resolve, reject) => {
    const check = () => output.includes('push worker ready') && resolve();
    child.stdout.on('data', check);
    child.once('exit', (code) => reject(new Error(`push worker exited with ${code}: ${output}`)));
  });
  return { process: child, output: () => output };
}

/** Stops the worker (SIGTERM) and returns the outcomes it counted. */
export async function stopPushChild(child: PushChild): Promise<Record<string, number>> {
  if (child.process.exitCode === null) {
    child.process.kill('SIGTERM');
    await once(child.process, 'exit');
  }
  const stats = child.output().match(/push worker stats (\{.*\})/);
  return stats?.[1] ? (JSON.parse(stats[1]) as Record<string, number>) : {};
}

/** The most requests found in any window of `windowMs` ending at a request. */
export function busiestWindow(times: readonly number[], windowMs: number): number {
  let most = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while ((times[start] ?? 0) <= (times[end] ?? 0) - windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}
