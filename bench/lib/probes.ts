/**
 * Probe deadlines: one due every `everyMs` for `forMs`, starting `leadMs` from
 * now. Lateness is the handler's start minus the due time.
 */
import { Latencies } from './latency.ts';

export type Probe = { id: string; dueAt: number };

export function probesFrom(
  now: number,
  options: { leadMs: number; everyMs: number; forMs: number; id: (i: number) => string },
): Probe[] {
  const count = Math.floor(options.forMs / options.everyMs);
  return Array.from({ length: count }, (_, i) => ({
    id: options.id(i),
    dueAt: now + options.leadMs + i * options.everyMs,
  }));
}

/** Polls `started` until every probe has started or `timeoutMs` after the last due time. */
export async function awaitProbes(
  probes: readonly Probe[],
  startedAt: (id: string) => number | undefined,
  timeoutMs: number,
): Promise<{ lateness: Latencies; missing: number }> {
  const last = Math.max(...probes.map((p) => p.dueAt));
  for (;;) {
    const pending = probes.filter((p) => startedAt(p.id) === undefined).length;
    if (pending === 0 || Date.now() > last + timeoutMs) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const lateness = new Latencies();
  let missing = 0;
  for (const p of probes) {
    const at = startedAt(p.id);
    if (at === undefined) missing++;
    else lateness.record(at - p.dueAt);
  }
  return { lateness, missing };
}
