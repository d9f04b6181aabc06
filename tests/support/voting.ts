import { cosign } from '../../src/app/cosign.ts';
import { openVote } from '../../src/app/deadlines.ts';
import { propose } from '../../src/app/propose.ts';
import type { TestCommunity } from './community.ts';

/** Proposes, co-signs to the threshold, lets the notice period pass and opens the vote; returns N. */
export async function openedVote(c: TestCommunity, noticeMs: number): Promise<number> {
  const proposed = await propose(c.deps, {
    actor: c.as(0),
    title: '加装电梯',
    category: 'elevator',
  });
  if (proposed.kind !== 'proposed') throw new Error(JSON.stringify(proposed));
  for (let i = 1; i < proposed.threshold; i++) {
    const signed = await cosign(c.deps, { actor: c.as(i), number: proposed.number });
    if (signed.kind !== 'cosigned') throw new Error(JSON.stringify(signed));
  }
  c.clock.advance(noticeMs);
  const opened = await openVote(c.deps, { communityId: c.id, number: proposed.number });
  if (opened.kind !== 'opened') throw new Error(JSON.stringify(opened));
  return proposed.number;
}
