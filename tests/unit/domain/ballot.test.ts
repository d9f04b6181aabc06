import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BallotCast,
  checkRelayEligibility,
  countBallots,
  decideBallot,
} from '../../../src/domain/ballot.ts';

const chat = (choice: BallotCast['choice']): BallotCast => ({ channel: 'chat', choice });
const relay = (
  choice: BallotCast['choice'],
  representativeId = 'rep-3',
  reference = 'P-1',
): BallotCast => ({
  channel: 'relay',
  choice,
  representativeId,
  reference,
});

describe('decideBallot', () => {
  it('records a first ballot from either channel', () => {
    expect(decideBallot(null, chat('for'))).toEqual({ kind: 'recorded' });
    expect(decideBallot(null, relay('against'))).toEqual({ kind: 'recorded' });
  });

  it('lets a voter change their chat ballot, and ignores a repeat', () => {
    expect(decideBallot(chat('for'), chat('against'))).toEqual({
      kind: 'changed',
      previous: chat('for'),
    });
    expect(decideBallot(chat('for'), chat('for'))).toEqual({ kind: 'unchanged' });
  });

  it("lets the voter's own chat ballot supersede a relayed one, same choice or not", () => {
    expect(decideBallot(relay('for'), chat('against'))).toEqual({
      kind: 'superseded_relay',
      previous: relay('for'),
    });
    expect(decideBallot(relay('for'), chat('for')).kind).toBe('superseded_relay');
  });

  it('never lets a relay override the voter’s own chat ballot', () => {
    expect(decideBallot(chat('for'), relay('against'))).toEqual({
      kind: 'relay_refused_own_ballot',
    });
    expect(decideBallot(chat('for'), relay('for'))).toEqual({ kind: 'relay_refused_own_ballot' });
  });

  it('lets the same representative correct a relay, but not another one', () => {
    expect(decideBallot(relay('for'), relay('against'))).toEqual({
      kind: 'changed',
      previous: relay('for'),
    });
    expect(decideBallot(relay('for'), relay('for', 'rep-3', 'P-2'))).toEqual({ kind: 'unchanged' });
    expect(decideBallot(relay('for'), relay('against', 'rep-9'))).toEqual({
      kind: 'relay_refused_other_representative',
      representativeId: 'rep-3',
    });
  });
});

describe('checkRelayEligibility', () => {
  it('allows a representative to relay for their own building only', () => {
    expect(
      checkRelayEligibility({ representativeOfBuildingId: 'b3' }, { buildingId: 'b3' }),
    ).toEqual({
      kind: 'allowed',
    });
    expect(
      checkRelayEligibility({ representativeOfBuildingId: 'b3' }, { buildingId: 'b4' }),
    ).toEqual({
      kind: 'other_building',
      representativeBuildingId: 'b3',
      householdBuildingId: 'b4',
    });
    expect(
      checkRelayEligibility({ representativeOfBuildingId: null }, { buildingId: 'b3' }),
    ).toEqual({
      kind: 'not_representative',
    });
  });
});

describe('countBallots', () => {
  it('counts by choice', () => {
    expect(countBallots([chat('for'), relay('for'), chat('abstain')])).toEqual({
      for: 2,
      against: 0,
      abstain: 1,
    });
  });
});

describe('decideBallot over any sequence', () => {
  it("keeps the voter's own latest chat ballot whatever relays follow", () => {
    const choice = fc.constantFrom<BallotCast['choice']>('for', 'against', 'abstain');
    const cast = fc.oneof(
      choice.map(chat),
      fc.tuple(choice, fc.constantFrom('rep-3', 'rep-4')).map(([c, rep]) => relay(c, rep)),
    );
    fc.assert(
      fc.property(fc.array(cast, { maxLength: 30 }), (sequence) => {
        let current: BallotCast | null = null;
        for (const incoming of sequence) {
          const decision = decideBallot(current, incoming);
          const stored = ['recorded', 'changed', 'superseded_relay'].includes(decision.kind);
          if (stored) current = incoming;
          else if (decision.kind === 'unchanged' && incoming.channel === 'relay')
            current = incoming;
        }
        const lastChat = sequence.filter((b) => b.channel === 'chat').at(-1);
        if (lastChat) expect(current).toEqual(lastChat);
      }),
    );
  });
});
