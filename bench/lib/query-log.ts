/**
 * Counts and times every SQL statement a process sends through `pg` (which
 * Prisma's PostgreSQL adapter uses), by statement text; written as JSON to
 * BENCH_QUERY_LOG when the process exits. Loaded with `--import` into a
 * child when that variable is set: a measurement of round trips per update,
 * not a guess.
 */
import { writeFileSync } from 'node:fs';
import pg from 'pg';

type Stat = { calls: number; totalMs: number };

const target = process.env.BENCH_QUERY_LOG;
if (target) {
  const stats = new Map<string, Stat>();
  const proto = pg.Client.prototype as unknown as {
    query: (...args: unknown[]) => unknown;
  };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0];
    const text =
      typeof first === 'string'
        ? first
        : typeof first === 'object' && first !== null && 'text' in first
          ? String((first as { text: unknown }).text)
          : '?';
    const key = text.replace(/\s+/g, ' ').slice(0, 160);
    const started = performance.now();
    const result = original.apply(this, args);
    const note = () => {
      const stat = stats.get(key) ?? { calls: 0, totalMs: 0 };
      stat.calls++;
      stat.totalMs += performance.now() - started;
      stats.set(key, stat);
    };
    if (result instanceof Promise) result.then(note, note);
    else note();
    return result;
  };
  process.on('exit', () => {
    const rows = [...stats.entries()]
      .map(([sql, s]) => ({
        sql,
        calls: s.calls,
        meanMs: Math.round((s.totalMs / s.calls) * 100) / 100,
      }))
      .sort((a, b) => b.calls - a.calls);
    writeFileSync(target, JSON.stringify(rows, null, 1));
  });
}
