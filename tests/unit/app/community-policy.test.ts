import { describe, expect, it } from 'vitest';
import { communityPolicy } from '../../../src/app/core.ts';
import { DEFAULT_POLICY } from '../../../src/domain/policy.ts';

describe('communityPolicy', () => {
  it('applies a changed policy at once, though resolved policies are remembered', () => {
    const before = communityPolicy({ policy: { noticePeriod: '7d' } });
    expect(before.noticePeriodMs).toBe(7 * 86_400_000);
    // The committee shortens the notice period: the next read sees it.
    const after = communityPolicy({ policy: { noticePeriod: '3d' } });
    expect(after.noticePeriodMs).toBe(3 * 86_400_000);
    expect(communityPolicy({ policy: { noticePeriod: '7d' } }).noticePeriodMs).toBe(7 * 86_400_000);
  });

  it('falls back to the defaults for an unknown community or a stored policy that no longer parses', () => {
    expect(communityPolicy(undefined)).toEqual(DEFAULT_POLICY);
    expect(communityPolicy({ policy: { quorumRatio: 'most' } })).toEqual(DEFAULT_POLICY);
    // Asked again (now from memory), still the defaults.
    expect(communityPolicy({ policy: { quorumRatio: 'most' } })).toEqual(DEFAULT_POLICY);
  });

  it('keeps giving right answers past the number of policies it remembers', () => {
    for (let days = 1; days <= 600; days++) {
      expect(communityPolicy({ policy: { votingWindow: `${days}d` } }).votingWindowMs).toBe(
        days * 86_400_000,
      );
    }
    expect(communityPolicy({ policy: { votingWindow: '1d' } }).votingWindowMs).toBe(86_400_000);
  });
});
