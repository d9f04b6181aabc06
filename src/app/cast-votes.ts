/**
 * Group commit for ballots: many `/vote`s and vote buttons in one
 * transaction, with one statement per step whatever their number (claims
 * and actors; vote and ballot locks; ballot reads; the writes together). Each
 * ballot keeps its own idempotency key and its own outcome, exactly what
 * castVote (cast-vote.ts) would have given it alone: the same rules
 * (record-ballot.ts planBallot), applied in arrival order, so a household's
 * second press in a batch sees its first.
 */
import type { Policy } from '../domain/policy.ts';
import type { CastVoteOutcome } from './cast-vote.ts';
import {
  actorLabel,
  type Command,
  type CoreDeps,
  isRefusal,
  policyOf,
  voterKeyOf,
} from './core.ts';
import type {
  Actor,
  AuditInput,
  BallotBatchStore,
  BallotRecord,
  BallotWrite,
  BatchedBallot,
  Choice,
  PointsAward,
  ProposalRecord,
} from './ports/store.ts';
import { ballotWindowRefusal, planBallot } from './record-ballot.ts';

export type VoteInput = Command & { number: number; choice: Choice };

type Ballot = {
  index: number;
  actor: Actor;
  proposal: ProposalRecord;
  voterKey: string;
  choice: Choice;
  at: Date;
};

const proposalKey = (communityId: string, number: number) => `${communityId}#${number}`;
const targetKey = (proposalId: string, voterKey: string) => `${proposalId}/${voterKey}`;

/**
 * Casts every input's vote; `inputs` carry distinct idempotency keys. An
 * input whose key an earlier delivery claimed gets that delivery's outcome.
 * Each comes out with its group's context when it came from one.
 */
export async function castVotes(
  deps: Pick<CoreDeps, 'clock' | 'ids'>,
  store: BallotBatchStore,
  /** `at`: when the ballot arrived (its window is checked and its time recorded at that instant). */
  inputs: readonly (VoteInput & { idempotencyKey: string; at: Date })[],
): Promise<BatchedBallot<CastVoteOutcome>[]> {
  const now = deps.clock.now();
  const results = await store.onceEach(
    inputs.map((i) => ({ key: i.idempotencyKey, actor: i.actor })),
    now,
    async (tx, claimed): Promise<CastVoteOutcome[]> => {
      const outcomes: (CastVoteOutcome | undefined)[] = new Array(claimed.length);
      // A community's policy is parsed once per batch, not once per ballot.
      const policies = new Map<string, Policy>();
      const policy = (actor: Actor) => {
        let found = policies.get(actor.community.id);
        if (!found) {
          found = policyOf(actor);
          policies.set(actor.community.id, found);
        }
        return found;
      };

      const acting: {
        at: number;
        input: (typeof inputs)[number];
        actor: Actor;
        voterKey: string;
      }[] = [];
      claimed.forEach(({ index, actor }, at) => {
        const input = inputs[index];
        if (!input) throw new Error(`no ballot ${index}`);
        if (isRefusal(actor)) outcomes[at] = actor;
        else acting.push({ at, input, actor, voterKey: voterKeyOf(actor, policy(actor)) });
      });
      const locked = await tx.lockVotes(
        acting.map((a) => ({
          communityId: a.actor.community.id,
          number: a.input.number,
          voterKey: a.voterKey,
        })),
      );

      // Read before any of the batch's writes: a voter's presses in the batch all see the same
      // state, and each sees the one before it through `current` below.
      const eligible = new Map<string, boolean>();
      const current = new Map<string, BallotRecord | undefined>();
      const ballots: Ballot[] = [];
      acting.forEach(({ at, input, actor, voterKey }, i) => {
        const found = locked[i];
        if (!found) {
          outcomes[at] = { kind: 'proposal_unknown', number: input.number };
          return;
        }
        const { proposal, state } = found;
        const closed = ballotWindowRefusal(proposal, input.at);
        if (closed) {
          outcomes[at] = closed;
          return;
        }
        const key = targetKey(proposal.id, voterKey);
        if (!eligible.has(key)) {
          eligible.set(key, state.eligible);
          current.set(key, state.current);
        }
        ballots.push({ index: at, actor, proposal, voterKey, choice: input.choice, at: input.at });
      });

      const writes: BallotWrite[] = [];
      const audits: AuditInput[] = [];
      const awards: { award: PointsAward; id: string }[] = [];
      const cards = new Map<
        string,
        { id: string; communityId: string; number: number; kind: string }
      >();
      for (const b of ballots) {
        const key = targetKey(b.proposal.id, b.voterKey);
        if (!eligible.get(key)) {
          outcomes[b.index] = { kind: 'not_eligible', number: b.proposal.number };
          continue;
        }
        const { outcome, write } = planBallot({
          proposal: b.proposal,
          voterKey: b.voterKey,
          current: current.get(key),
          cast: { channel: 'chat', choice: b.choice },
          castBy: b.actor.residentId,
          now: b.at,
          audit: { actor: actorLabel(b.actor) },
        });
        outcomes[b.index] = outcome;
        if (!write || outcome.kind !== 'recorded') continue;
        current.set(key, write.ballot);
        writes.push({ ballot: write.ballot, previous: write.previous, historyId: deps.ids.next() });
        audits.push(write.audit);
        awards.push({
          award: {
            communityId: b.proposal.communityId,
            residentId: b.actor.residentId,
            kind: 'vote',
            amount: policy(b.actor).points.vote,
            subject: `proposal:${b.proposal.id}`,
            at: b.at,
          },
          id: deps.ids.next(),
        });
        // One card refresh per vote and batch: the relay redraws the whole card anyway.
        for (const p of outcome.publish) {
          const card = proposalKey(p.communityId, p.number);
          if (!cards.has(card)) cards.set(card, { id: deps.ids.next(), ...p });
        }
      }
      tx.putBallots(writes);
      tx.appendAudits(audits);
      tx.awardPoints(awards);
      tx.recordPublications([...cards.values()], now, false);
      return outcomes.map((outcome, i) => {
        if (!outcome) throw new Error(`ballot ${i} has no outcome`);
        return outcome;
      });
    },
  );
  // A replayed key whose outcome was never stored (null) has none to give.
  return results.map(({ outcome, chat }) => ({ outcome: outcome ?? undefined, chat }));
}
