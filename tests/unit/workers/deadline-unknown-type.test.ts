/**
 * A deadline job of a type the worker does not know fails loudly: the
 * processor throws (BullMQ fails the job and logs it) instead of taking it
 * for some other deadline, as a `default:` branch once took any unknown type
 * for a survey close.
 */
import { describe, expect, it } from 'vitest';
import type { CoreDeps } from '../../../src/app/core.ts';
import { type DeadlineDeps, processDeadline } from '../../../workers/deadlines/processors.ts';
import type { DeadlineJob } from '../../../workers/queues.ts';

const DUE_MS = Date.parse('2026-11-30T01:05:00Z');

describe('a deadline job of an unknown type', () => {
  it('fails the job and closes nothing', async () => {
    const touched: string[] = [];
    // Any use of the store would mean the job was taken for a known type.
    const store = new Proxy({} as CoreDeps['store'], {
      get: (_target, name) => {
        touched.push(String(name));
        return () => Promise.reject(new Error('store reached'));
      },
    });
    const deps = {
      core: { clock: { now: () => new Date(DUE_MS + 1) }, ids: { next: () => 'x' }, store },
    } as unknown as DeadlineDeps;
    const job = {
      type: 'survey_reopen',
      subjectId: 'p1',
      communityId: 'c1',
      number: 1,
      dueAtMs: DUE_MS,
      detail: null,
    } as unknown as DeadlineJob;

    await expect(processDeadline(deps, job, 'v1-survey_reopen-p1')).rejects.toThrow(
      'unknown deadline job type: survey_reopen',
    );
    expect(touched).toEqual([]);
  });
});
