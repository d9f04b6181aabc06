import { describe, expect, it } from 'vitest';
import type { StatusReader } from '../../../src/app/status.ts';
import { freshReads } from '../../../workers/push/fresh-reads.ts';

/** A reader that counts its reads and answers with the read's number. */
function countingReader() {
  let reads = 0;
  const reader = {
    community: async (id: string) => {
      reads++;
      return { id, name: `read ${reads}`, timezone: 'UTC', locale: 'en', policy: {} };
    },
    bindings: async () => {
      reads++;
      return [];
    },
    proposal: async () => {
      reads++;
      return undefined;
    },
    open: async () => [],
    points: async () => ({ balance: 0, recent: [] }),
  } satisfies StatusReader;
  return { reader, reads: () => reads };
}

describe('fresh reads shared between the card pushes of a fan-out', () => {
  it('shares a read that started at or after the job planned time', async () => {
    let now = 1_000;
    const { reader, reads } = countingReader();
    const shared = freshReads(reader, () => now);
    const first = await shared.at(1_000).community('c1');
    now = 1_500;
    // Planned at 1,000 or earlier: the read that started at 1,000 shows all it must.
    expect(await shared.at(900).community('c1')).toBe(first);
    expect(await shared.at(1_000).community('c1')).toBe(first);
    expect(reads()).toBe(1);
  });

  it('never serves a job a read that started before its planned time', async () => {
    let now = 1_000;
    const { reader, reads } = countingReader();
    const shared = freshReads(reader, () => now);
    const before = await shared.at(1_000).community('c1');
    now = 2_000;
    // Planned at 1,001: a change queued into it may have committed after the first read.
    const after = await shared.at(1_001).community('c1');
    expect(after).not.toBe(before);
    expect(after?.name).toBe('read 2');
    // The newer read is shared from then on.
    expect(await shared.at(1_500).community('c1')).toBe(after);
    expect(reads()).toBe(2);
  });

  it('keeps reads apart by what they read, and drops a failed read', async () => {
    let fail = true;
    let reads = 0;
    const reader: StatusReader = {
      ...countingReader().reader,
      community: async (id) => {
        reads++;
        if (fail) throw new Error('database down');
        return { id, name: id, timezone: 'UTC', locale: 'en', policy: {} };
      },
    };
    const shared = freshReads(reader, () => 5);
    await expect(shared.at(0).community('c1')).rejects.toThrow('database down');
    fail = false;
    expect((await shared.at(0).community('c1'))?.name).toBe('c1');
    expect((await shared.at(0).community('c2'))?.name).toBe('c2');
    expect(reads).toBe(3);
  });
});
