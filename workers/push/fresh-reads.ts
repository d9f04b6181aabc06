/**
 * Shares the reads a card is rendered from between the push jobs of one
 * fan-out, without ever serving a job state older than it would have read.
 *
 * A card job renders at its planned time (the end of its coalescing bucket,
 * or when quiet hours end) so that it shows every change queued into it:
 * each such change was committed before it was queued, and it was queued
 * before that time. A read that *started* at or after the job's planned time
 * therefore shows everything the job must show, whoever started it. One
 * result card going to 1,000 groups is then read once, not 1,000 times (the
 * push worker was CPU-bound on those identical reads, mostly the community's
 * 1,200 bindings per push).
 *
 * A read that started before the job's planned time is never reused for it;
 * a failed read is not kept.
 */
import type { StatusReader } from '../../src/app/status.ts';

/** Reads older than this are dropped when new ones are stored (memory only: freshness is per job). */
const KEEP_MS = 60_000;
/** At most this many reads are kept. */
const MAX_ENTRIES = 2_000;

type Entry = { startedAtMs: number; value: Promise<unknown> };

export type FreshReads = {
  /** A reader whose answers were all read at or after `notBeforeMs` (epoch ms, this process's clock). */
  at(notBeforeMs: number): StatusReader;
};

/**
 * `now` is this process's wall clock (Date.now): read start times are
 * compared with BullMQ's job times, which use the same clock.
 */
export function freshReads(reader: StatusReader, now: () => number = Date.now): FreshReads {
  const entries = new Map<string, Entry>();

  function prune(at: number): void {
    for (const [key, entry] of entries) {
      if (entries.size <= MAX_ENTRIES && at - entry.startedAtMs <= KEEP_MS) break;
      entries.delete(key);
    }
  }

  function shared<T>(key: string, notBeforeMs: number, read: () => Promise<T>): Promise<T> {
    const found = entries.get(key);
    if (found && found.startedAtMs >= notBeforeMs) return found.value as Promise<T>;
    const startedAtMs = now();
    const value = read();
    const entry: Entry = { startedAtMs, value };
    // Re-inserted at the end, so the map stays in start order for pruning.
    entries.delete(key);
    entries.set(key, entry);
    prune(startedAtMs);
    value.catch(() => {
      if (entries.get(key) === entry) entries.delete(key);
    });
    return value;
  }

  return {
    at(notBeforeMs) {
      return {
        community: (id) => shared(`c/${id}`, notBeforeMs, () => reader.community(id)),
        bindings: (id) => shared(`b/${id}`, notBeforeMs, () => reader.bindings(id)),
        proposal: (communityId, number) =>
          shared(`p/${communityId}/${number}`, notBeforeMs, () =>
            reader.proposal(communityId, number),
          ),
        // Not used by card rendering: passed through unshared.
        open: (communityId) => reader.open(communityId),
        points: (residentId, limit) => reader.points(residentId, limit),
      };
    },
  };
}
