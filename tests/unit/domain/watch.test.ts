import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, resolvePolicy, serializePolicy } from '../../../src/domain/policy.ts';
import {
  joinCodesFinding,
  joinSurgeFinding,
  type RelayCounts,
  relayFindings,
  relayWindows,
} from '../../../src/domain/watch.ts';

const W = DEFAULT_POLICY.watch;
const MIN = 60_000;
const quiet: RelayCounts = {
  proposalId: 'p1',
  number: 4,
  representativeId: 'r1',
  burst: 10,
  relayedForBuilding: 10,
  buildingHouseholds: 20,
  lastMinutes: null,
  eligible: 100,
};

describe('watch policy', () => {
  it('has documented defaults and survives a round trip', () => {
    expect(W.relayBurst).toEqual({ ballots: 10, withinMs: 10 * MIN });
    expect(W.relayShare).toEqual({ share: { num: 1, den: 2 }, min: 5 });
    expect(W.joinSurge).toEqual({
      beforeMs: 6 * 60 * MIN,
      factor: 3,
      min: 5,
      baselineMs: 28 * 86_400_000,
    });
    expect(W.joinCodes).toEqual({ households: 2, withinMs: 86_400_000 });
    expect(W.lastMinutesRelays).toEqual({ windowMs: 10 * MIN, share: { num: 3, den: 20 } });
    const again = resolvePolicy(serializePolicy(DEFAULT_POLICY));
    expect(again.ok && again.policy.watch).toEqual(W);
  });

  it('refuses an unknown rule and a join-code window longer than attempts are kept', () => {
    const result = resolvePolicy({ watch: { relayBursts: {}, joinCodes: { within: '8d' } } });
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors.join('\n');
    expect(errors).toContain('watch.relayBursts: unknown setting; known settings are relayBurst');
    expect(errors).toContain('watch.joinCodes.within: expected a duration of at most "7d"');
  });
});

describe('relay rules', () => {
  it('stay silent at the thresholds and fire one past them, once per representative and vote', () => {
    expect(relayFindings(W, quiet)).toEqual([]);
    const findings = relayFindings(W, { ...quiet, burst: 11, relayedForBuilding: 11 });
    expect(findings.map((f) => [f.rule, f.count, f.threshold])).toEqual([
      ['relay_burst', 11, 10],
      ['relay_share', 11, 10],
    ]);
    expect(findings[0]?.key).toBe('watch-relay_burst-p1-r1');
    expect(relayFindings(W, { ...quiet, burst: 30 })[0]?.key).toBe(findings[0]?.key);
  });

  it('a small building needs at least the minimum relayed before its share counts', () => {
    expect(
      relayFindings(W, { ...quiet, burst: 4, relayedForBuilding: 4, buildingHouseholds: 4 }),
    ).toEqual([]);
    expect(
      relayFindings(W, { ...quiet, burst: 5, relayedForBuilding: 5, buildingHouseholds: 6 }).map(
        (f) => f.rule,
      ),
    ).toEqual(['relay_share']);
  });

  it('counts the last minutes only inside them, against 15% of the eligible, exactly', () => {
    const closes = new Date('2026-03-01T12:00:00Z');
    expect(relayWindows(W, new Date('2026-03-01T11:49:59Z'), closes).lastMinutesSince).toBeNull();
    expect(relayWindows(W, new Date('2026-03-01T11:50:00Z'), closes).lastMinutesSince).toEqual(
      new Date('2026-03-01T11:50:00Z'),
    );
    expect(
      relayFindings(W, { ...quiet, burst: 1, relayedForBuilding: 1, lastMinutes: 15 }),
    ).toEqual([]);
    expect(
      relayFindings(W, { ...quiet, burst: 1, relayedForBuilding: 1, lastMinutes: 16 }).map(
        (f) => f.rule,
      ),
    ).toEqual(['last_minutes_relays']);
  });
});

describe('join rules', () => {
  const vote = { proposalId: 'p1', number: 4 };
  it('a surge is more than three times the usual rate, and at least five', () => {
    // 112 joins in 28 days is 1 per 6 hours: 3 usual, so 4 is not yet a surge (min 5), 5 is.
    expect(joinSurgeFinding(W, vote, 4, 112)).toBeNull();
    expect(joinSurgeFinding(W, vote, 5, 112)?.threshold).toBe(4);
    // 560 in 28 days is 5 per 6 hours: more than 15 is a surge.
    expect(joinSurgeFinding(W, vote, 15, 560)).toBeNull();
    expect(joinSurgeFinding(W, vote, 16, 560)?.key).toBe('watch-join_surge-p1');
  });

  it('one account trying codes of three households fires, once a day', () => {
    const account = { communityId: 'c1', hash: 'a'.repeat(64) };
    const at = new Date('2026-03-01T10:00:00Z');
    expect(joinCodesFinding(W, account, 2, at)).toBeNull();
    const first = joinCodesFinding(W, account, 3, at);
    expect(first?.subject).toBe(`account:${'a'.repeat(24)}`);
    expect(joinCodesFinding(W, account, 4, new Date('2026-03-01T23:59:00Z'))?.key).toBe(first?.key);
    expect(joinCodesFinding(W, account, 3, new Date('2026-03-02T00:00:00Z'))?.key).not.toBe(
      first?.key,
    );
  });
});
