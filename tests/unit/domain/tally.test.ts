import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../src/domain/policy.ts';
import { tally } from '../../../src/domain/tally.ts';

const votes = (yes: number, no: number, abstain = 0) => ({ for: yes, against: no, abstain });

describe('tally', () => {
  it('meets a 70% quorum with 7 of 10 ballots, not with 6', () => {
    expect(tally(votes(7, 0), 10, DEFAULT_POLICY)).toMatchObject({
      kind: 'passed',
      quorumNeeded: 7,
      quorumMet: true,
      turnout: { ballots: 7, eligible: 10 },
    });
    expect(tally(votes(6, 0), 10, DEFAULT_POLICY)).toMatchObject({
      kind: 'no_quorum',
      quorumMet: false,
    });
  });

  it('passes 2/3 with 6 for of 9 ballots, not with 5', () => {
    expect(tally(votes(6, 2, 1), 10, DEFAULT_POLICY)).toMatchObject({
      kind: 'passed',
      forNeeded: 6,
    });
    expect(tally(votes(5, 3, 1), 10, DEFAULT_POLICY)).toMatchObject({
      kind: 'rejected',
      forNeeded: 6,
    });
  });

  it('needs 67 for of 100 ballots', () => {
    expect(tally(votes(67, 33), 100, DEFAULT_POLICY)).toMatchObject({
      kind: 'passed',
      forNeeded: 67,
    });
    expect(tally(votes(66, 34), 100, DEFAULT_POLICY).kind).toBe('rejected');
  });

  it('counts abstentions towards turnout and against the pass mark', () => {
    expect(tally(votes(6, 0, 3), 10, DEFAULT_POLICY)).toMatchObject({
      kind: 'passed',
      forNeeded: 6,
    });
    expect(tally(votes(5, 0, 3), 10, DEFAULT_POLICY)).toMatchObject({
      kind: 'rejected',
      forNeeded: 6,
    });
    expect(tally(votes(5, 0, 2), 10, DEFAULT_POLICY)).toMatchObject({
      kind: 'passed',
      forNeeded: 5,
    });
  });

  it('never passes with no eligible voters or no ballots, even at 0% ratios', () => {
    expect(tally(votes(0, 0), 0, DEFAULT_POLICY).kind).toBe('no_quorum');
    const lax = { quorumRatio: { num: 0, den: 1 }, passRatio: { num: 0, den: 1 } };
    expect(tally(votes(0, 0), 10, lax).kind).toBe('no_quorum');
    expect(tally(votes(0, 1), 10, lax).kind).toBe('rejected');
  });

  it('refuses negative or fractional counts as a bug', () => {
    expect(() => tally(votes(-1, 0), 10, DEFAULT_POLICY)).toThrow(RangeError);
    expect(() => tally(votes(1.5, 0), 10, DEFAULT_POLICY)).toThrow(RangeError);
  });

  it('uses thresholds equal to the brute-force smallest integers', () => {
    const smallest = (num: number, den: number, total: number) => {
      let k = 0;
      while (k * den < num * total) k += 1;
      return Math.max(1, k);
    };
    fc.assert(
      fc.property(
        fc.nat(300),
        fc.nat(300),
        fc.nat(300),
        fc.nat(400),
        fc.integer({ min: 1, max: 12 }),
        fc.nat(12),
        (yes, no, abstain, extra, den, numRaw) => {
          const num = numRaw % (den + 1);
          const policy = { quorumRatio: { num, den }, passRatio: { num, den } };
          const ballots = yes + no + abstain;
          const eligible = ballots + extra;
          const result = tally(votes(yes, no, abstain), eligible, policy);
          expect(result.quorumNeeded).toBe(smallest(num, den, eligible));
          expect(result.forNeeded).toBe(smallest(num, den, ballots));
          const quorum = eligible > 0 && ballots >= result.quorumNeeded;
          expect(result.kind).toBe(
            !quorum ? 'no_quorum' : yes >= result.forNeeded ? 'passed' : 'rejected',
          );
        },
      ),
    );
  });
});
