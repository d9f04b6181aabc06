/**
 * Button presses on one vote, as Telegram would deliver them: every voter
 * presses 1–5 times (changing their mind or not), some updates arrive twice
 * (concurrently or later), a few arrive out of order. An independent ledger
 * says what the database must hold afterwards.
 *
 * A voter's deliveries go one after another (one person, one phone); up to
 * `inFlight` voters are served at once. The product applies updates in the
 * order they arrive, so the ledger follows delivery order, and a redelivered
 * update (same update id) must have no effect at all, even when it carries
 * an older choice.
 */
import type { Choice } from '../../src/app/ports/store.ts';

export type Press = {
  voter: number;
  updateId: number;
  choice: Choice;
  /** Sent before the voter's previous press (swapped with it). */
  early?: boolean;
};

/** One delivery step of a voter: a press, or the same press twice at once. */
export type Delivery = { press: Press; twiceConcurrently: boolean; redelivery: boolean };

export type PressPlan = {
  voters: number;
  /** Per voter, the deliveries in the order they are sent. */
  deliveries: Delivery[][];
  presses: number;
  duplicates: number;
  outOfOrder: number;
};

const CHOICES: readonly Choice[] = ['for', 'against', 'abstain'];

/** A small seeded generator (mulberry32), so a run can be repeated. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function planPresses(options: {
  voters: number;
  firstUpdateId: number;
  duplicateShare: number;
  outOfOrderShare: number;
  seed: number;
}): PressPlan {
  const random = seededRandom(options.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  let updateId = options.firstUpdateId;
  let presses = 0;
  let duplicates = 0;
  let outOfOrder = 0;
  const deliveries: Delivery[][] = [];
  for (let voter = 0; voter < options.voters; voter++) {
    const count = 1 + Math.floor(random() * 5);
    const own: Press[] = [];
    for (let i = 0; i < count; i++)
      own.push({ voter, updateId: updateId++, choice: pick(CHOICES) });
    presses += count;
    // Out of order: two consecutive updates of this voter arrive swapped.
    for (let i = 0; i + 1 < own.length; i++) {
      if (random() < options.outOfOrderShare) {
        const a = own[i] as Press;
        own[i] = { ...(own[i + 1] as Press), early: true };
        own[i + 1] = a;
        outOfOrder++;
        i++;
      }
    }
    const steps: Delivery[] = [];
    const late: Delivery[] = [];
    for (const press of own) {
      const duplicated = random() < options.duplicateShare;
      if (duplicated) duplicates++;
      // Half the duplicates race the original; the other half come back after the voter's last press.
      const concurrent = duplicated && random() < 0.5;
      steps.push({ press, twiceConcurrently: concurrent, redelivery: false });
      if (duplicated && !concurrent)
        late.push({ press, twiceConcurrently: false, redelivery: true });
    }
    deliveries.push([...steps, ...late]);
  }
  return { voters: options.voters, deliveries, presses, duplicates, outOfOrder };
}

export type Ledger = {
  tally: Record<Choice, number>;
  /** Counting ballots (voters with at least one press). */
  ballots: number;
  /** Superseded ballots kept in the history: each change of mind. */
  history: number;
  /** `ballot.cast` audit entries: first ballots and changes. */
  audited: number;
  finalChoice: Choice[];
};

/** What the database must hold after the plan, computed without the product. */
export function ledgerOf(plan: PressPlan): Ledger {
  const tally: Record<Choice, number> = { for: 0, against: 0, abstain: 0 };
  let ballots = 0;
  let history = 0;
  let audited = 0;
  const finalChoice: Choice[] = [];
  for (const steps of plan.deliveries) {
    const seen = new Set<number>();
    let current: Choice | undefined;
    for (const { press } of steps) {
      if (seen.has(press.updateId)) continue;
      seen.add(press.updateId);
      if (current === press.choice) continue;
      if (current === undefined) ballots++;
      else history++;
      audited++;
      current = press.choice;
    }
    if (current) {
      tally[current]++;
      finalChoice.push(current);
    }
  }
  return { tally, ballots, history, audited, finalChoice };
}

/**
 * Sends the plan through `deliver`, `inFlight` voters at a time. After
 * `budgetMs` no new voter is started (those under way finish), so voters
 * 0..voters-1 are complete. A delivery that throws stops the run.
 */
export async function runPlan(
  plan: PressPlan,
  inFlight: number,
  deliver: (press: Press) => Promise<void>,
  budgetMs = Number.POSITIVE_INFINITY,
): Promise<{ wallMs: number; voters: number }> {
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    for (;;) {
      if (performance.now() - started > budgetMs) return;
      const voter = next++;
      const steps = plan.deliveries[voter];
      if (!steps) return;
      for (const step of steps) {
        if (step.twiceConcurrently) await Promise.all([deliver(step.press), deliver(step.press)]);
        else await deliver(step.press);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, plan.voters) }, lane));
  return { wallMs: performance.now() - started, voters: Math.min(next, plan.voters) };
}

/** The plan cut to its first `voters` voters (what a run under a time budget delivered). */
export function truncatePlan(plan: PressPlan, voters: number): PressPlan {
  const deliveries = plan.deliveries.slice(0, voters);
  const flat = deliveries.flat();
  return {
    voters,
    deliveries,
    presses: new Set(flat.map((d) => d.press.updateId)).size,
    duplicates: flat.filter((d) => d.redelivery || d.twiceConcurrently).length,
    outOfOrder: flat.filter((d) => d.press.early && !d.redelivery).length,
  };
}
