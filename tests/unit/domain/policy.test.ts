import { describe, expect, it } from 'vitest';
import {
  categoryLabel,
  DEFAULT_POLICY,
  isAllowedCategory,
  MANDATORY_CATEGORIES,
  PolicySchema,
  resolvePolicy,
  serializePolicy,
} from '../../../src/domain/policy.ts';

function errorsOf(input: unknown): readonly string[] {
  const result = resolvePolicy(input);
  if (result.ok) throw new Error('expected the policy to be refused');
  return result.errors;
}

describe('DEFAULT_POLICY', () => {
  it('holds the defaults of the source plan', () => {
    expect(DEFAULT_POLICY.cosignRatio).toEqual({ num: 3, den: 10 });
    expect(DEFAULT_POLICY.cosignWindowMs).toBe(14 * 86_400_000);
    expect(DEFAULT_POLICY.noticePeriodMs).toBe(7 * 86_400_000);
    expect(DEFAULT_POLICY.votingWindowMs).toBe(3 * 86_400_000);
    expect(DEFAULT_POLICY.quorumRatio).toEqual({ num: 7, den: 10 });
    expect(DEFAULT_POLICY.passRatio).toEqual({ num: 2, den: 3 });
    expect(DEFAULT_POLICY.voterUnit).toBe('household');
    expect(DEFAULT_POLICY.remindersBeforeDueMs).toEqual([3 * 86_400_000, 86_400_000]);
    expect(DEFAULT_POLICY.escalationAfterDueMs).toEqual([0, 3 * 86_400_000, 7 * 86_400_000]);
    expect(DEFAULT_POLICY.quietHours).toEqual({ startMinute: 22 * 60, endMinute: 8 * 60 });
    expect(DEFAULT_POLICY.surveyWindowMs).toBe(7 * 86_400_000);
    expect(DEFAULT_POLICY.satisfactionBar).toEqual({ num: 3, den: 5 });
    expect(DEFAULT_POLICY.categories).toHaveLength(13);
    expect(DEFAULT_POLICY.categories.at(-1)).toBe('other');
    expect(DEFAULT_POLICY.digest).toEqual({ weekday: 1, minuteOfDay: 9 * 60 });
  });

  it('lists the 12 mandatory categories with both labels', () => {
    expect(MANDATORY_CATEGORIES).toHaveLength(12);
    expect(MANDATORY_CATEGORIES.map((c) => c.label['zh-CN'])).toContain('公共空间与绿化微更新');
    for (const category of MANDATORY_CATEGORIES) expect(category.label.en).not.toBe('');
  });
});

describe('resolvePolicy', () => {
  it('takes the defaults for missing keys, null or undefined', () => {
    expect(resolvePolicy({})).toEqual({ ok: true, policy: DEFAULT_POLICY });
    expect(resolvePolicy(undefined)).toEqual({ ok: true, policy: DEFAULT_POLICY });
    expect(resolvePolicy(null)).toEqual({ ok: true, policy: DEFAULT_POLICY });
  });

  it('overrides only the keys given, nested ones too', () => {
    const result = resolvePolicy({
      noticePeriod: '2s',
      votingWindow: '3s',
      passRatio: 0.5,
      quietHours: null,
      points: { vote: 3 },
      reminders: ['1d', '3d', '1d'],
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.policy.noticePeriodMs).toBe(2_000);
    expect(result.policy.votingWindowMs).toBe(3_000);
    expect(result.policy.passRatio).toEqual({ num: 1, den: 2 });
    expect(result.policy.quietHours).toBeNull();
    expect(result.policy.points).toEqual({ propose: 5, cosign: 1, vote: 3, progressCheck: 1 });
    expect(result.policy.remindersBeforeDueMs).toEqual([3 * 86_400_000, 86_400_000]);
    expect(result.policy.cosignWindowMs).toBe(DEFAULT_POLICY.cosignWindowMs);
  });

  it('refuses an unknown key, naming it', () => {
    const errors = errorsOf({ quorum: 0.7 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^quorum: unknown setting; known settings are .*quorumRatio/);
    expect(errorsOf({ points: { bonus: 1 } })[0]).toMatch(/^points\.bonus: unknown setting/);
  });

  it('names the key path and what is expected for each bad value', () => {
    expect(errorsOf({ quorumRatio: 1.5 })).toEqual([
      'quorumRatio: expected a ratio between 0 and 1 such as 0.7 or "2/3"',
    ]);
    expect(errorsOf({ noticePeriod: '7 days', passRatio: '3/2' })).toEqual([
      'noticePeriod: expected a duration like "7d", "36h", "2s" or "500ms"',
      'passRatio: expected a ratio between 0 and 1 such as 0.7 or "2/3"',
    ]);
    expect(errorsOf({ escalation: ['0s', 'soon', '7d'] })[0]).toMatch(
      /^escalation\[1\]: expected a duration/,
    );
    expect(errorsOf({ escalation: ['3d', '0s', '7d'] })[0]).toMatch(
      /^escalation: expected 3 durations/,
    );
    expect(errorsOf({ quietHours: '22:00' })[0]).toMatch(
      /^quietHours: expected a local time window/,
    );
    expect(errorsOf({ votingWindow: '0s' })[0]).toMatch(/^votingWindow: .*longer than 0/);
    expect(errorsOf({ digest: { weekday: 8 } })[0]).toMatch(/^digest\.weekday: expected a weekday/);
    expect(errorsOf({ voterUnit: 'flat' })).toEqual([
      'voterUnit: expected "household" or "resident"',
    ]);
    expect(errorsOf([])).toEqual(['policy: expected a JSON object of policy settings']);
  });

  it("labels categories in both locales, and a community's own by its slug", () => {
    expect(categoryLabel('elevator', 'zh-CN')).toBe('加装电梯');
    expect(categoryLabel('other', 'en')).toBe('Other');
    expect(categoryLabel('bike_shed', 'en')).toBe('bike_shed');
    expect(isAllowedCategory(['parking'], 'other')).toBe(true);
    expect(isAllowedCategory(['parking'], 'pets')).toBe(false);
  });

  it('always allows other, once', () => {
    const result = resolvePolicy({ categories: ['parking', 'other', 'parking'] });
    expect(result.ok && result.policy.categories).toEqual(['parking', 'other']);
  });
});

describe('serializePolicy', () => {
  it('writes the policy file form', () => {
    expect(serializePolicy(DEFAULT_POLICY)).toMatchObject({
      cosignRatio: 0.3,
      cosignWindow: '14d',
      noticePeriod: '7d',
      quorumRatio: 0.7,
      passRatio: '2/3',
      reminders: ['3d', '1d'],
      escalation: ['0s', '3d', '7d'],
      quietHours: '22:00-08:00',
      satisfactionBar: 0.6,
      digest: { weekday: 1, time: '09:00' },
    });
  });

  it('round-trips through PolicySchema', () => {
    const custom = PolicySchema.parse({
      cosignRatio: '1/4',
      noticePeriod: '36h',
      quietHours: '23:30-06:15',
    });
    expect(PolicySchema.parse(serializePolicy(custom))).toEqual(custom);
    expect(PolicySchema.parse(serializePolicy(DEFAULT_POLICY))).toEqual(DEFAULT_POLICY);
  });
});
