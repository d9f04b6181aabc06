/**
 * Child processes of a scenario (servers under test), started and stopped by
 * pid. With BENCH_PROFILE_DIR set, every child writes a V8 CPU profile there
 * when it exits (summarise it with bench/lib/profile-summary.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cleanEnv, ROOT } from '../../tests/support/processes.ts';

/**
 * `--cpu-prof` flags for a child when BENCH_PROFILE_DIR is set, and the SQL
 * statement log (bench/lib/query-log.ts) when BENCH_QUERY_LOG names a file prefix.
 */
export function profileFlags(): string[] {
  const dir = process.env.BENCH_PROFILE_DIR;
  const queries = process.env.BENCH_QUERY_LOG;
  return [
    ...(dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : []),
    ...(queries ? ['--import', './bench/lib/query-log.ts'] : []),
  ];
}

export type Child = { child: ChildProcess; output: () => string; stop(): Promise<void> };

/** Runs `node --import tsx <script> ...args` and resolves once its output matches `ready`. */
export async function startTsChild(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
  timeoutMs = 60_000,
): Promise<Child> {
  const queryLog = process.env.BENCH_QUERY_LOG;
  const child = spawn(
    process.execPath,
    ['--no-warnings=ExperimentalWarning', '--import', 'tsx', ...profileFlags(), script, ...args],
    {
      cwd: ROOT,
      env: {
        ...cleanEnv(),
        ...env,
        ...(queryLog ? { BENCH_QUERY_LOG: `${queryLog}.${script.replace(/\W+/g, '-')}.json` } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} not ready after ${timeoutMs} ms: ${output.slice(-2000)}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      output += d;
      if (output.length > 1_000_000) output = output.slice(-500_000);
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}: ${output.slice(-2000)}`));
    });
  });
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await once(child, 'exit');
      clearTimeout(timer);
    },
  };
}
