/**
 * Which terms are hot: said by enough different people, often enough for
 * the community's volume, and (once there are 28 days to compare with)
 * clearly more often than before. Variants of one topic (a word and the
 * pairs or longer words containing it) are shown once. Pure: the counts
 * come in, the list goes out.
 */

/** One term's counts over the last 7 days and the 28 before them. */
export type TermCounts = {
  term: string;
  /** Messages that used the term in the last 7 days. */
  last7: number;
  /** Messages that used it in the 28 days before those. */
  previous28: number;
  /** Different people who used it in the last 7 days (an estimate, see the counter). */
  senders7: number;
};

/** The community's counted messages in the same windows, and how long it has been counted. */
export type CommunityVolume = {
  messages7: number;
  messagesPrevious28: number;
  /** Days from the first counted day to today; under 28 there is nothing to compare with. */
  historyDays: number;
};

export type HotRule = {
  /** One loud resident cannot make a topic. */
  minSenders: number;
  minCount: number;
  /** The term's messages as a share of the community's, last 7 days. */
  minShare: number;
  /** Last-7-day rate over the previous-28-day rate (with history). */
  minLift: number;
  limit: number;
};

export const DEFAULT_HOT_RULE: HotRule = {
  minSenders: 3,
  minCount: 5,
  minShare: 0.01,
  minLift: 2,
  limit: 5,
};

/** Days of history before terms are compared with their own past. */
export const HISTORY_DAYS = 28;

export type HotTerm = TermCounts & {
  /** Last-7-day rate over the previous 28 days' (smoothed); null without 28 days of history. */
  lift: number | null;
};

const HAN = /\p{Script=Han}/u;

/** `dogs` and `dog`, `parking spot` and `parking`: one word the same up to a plural ending. */
function sameWord(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  return short.length >= 3 && long.startsWith(short) && long.length - short.length <= 2;
}

/** Whether two terms are variants of one topic (one contains the other). */
export function variantsOf(a: string, b: string): boolean {
  if (HAN.test(a) && HAN.test(b)) return a.includes(b) || b.includes(a);
  const wordsA = a.split(' ');
  const wordsB = b.split(' ');
  return wordsA.some((wa) => wordsB.some((wb) => sameWord(wa, wb)));
}

function liftOf(term: TermCounts, volume: CommunityVolume): number {
  const rateNow = term.last7 / Math.max(1, volume.messages7);
  const rateBefore = (term.previous28 + 1) / (volume.messagesPrevious28 + 1);
  return rateNow / rateBefore;
}

/**
 * The hot list, best first, at most `rule.limit` long. With 28 days of
 * history terms rank by lift (then senders, then count); before that by
 * distinct senders, then count.
 */
export function rankHotTopics(
  terms: readonly TermCounts[],
  volume: CommunityVolume,
  rule: HotRule = DEFAULT_HOT_RULE,
): HotTerm[] {
  const compared = volume.historyDays >= HISTORY_DAYS;
  const candidates: HotTerm[] = terms
    .filter(
      (t) =>
        t.senders7 >= rule.minSenders &&
        t.last7 >= rule.minCount &&
        t.last7 >= rule.minShare * volume.messages7,
    )
    .map((t) => ({ ...t, lift: compared ? liftOf(t, volume) : null }))
    .filter((t) => t.lift === null || t.lift >= rule.minLift);
  candidates.sort(
    (a, b) =>
      (b.lift ?? 0) - (a.lift ?? 0) ||
      b.senders7 - a.senders7 ||
      b.last7 - a.last7 ||
      a.term.length - b.term.length ||
      (a.term < b.term ? -1 : a.term > b.term ? 1 : 0),
  );
  // Variants form one topic through any chain of containment (停车 - 停车位 - 车位).
  const topic = candidates.map((_, i) => i);
  const root = (i: number): number => {
    let r = i;
    while (topic[r] !== r) r = topic[r] ?? r;
    return r;
  };
  for (let i = 0; i < candidates.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = candidates[i];
      const b = candidates[j];
      if (a && b && variantsOf(a.term, b.term)) {
        const [ri, rj] = [root(i), root(j)];
        // The better-ranked term (lower index) stays the topic's name.
        topic[Math.max(ri, rj)] = Math.min(ri, rj);
      }
    }
  }
  const shown = new Set<number>();
  const list: HotTerm[] = [];
  for (let i = 0; i < candidates.length && list.length < rule.limit; i++) {
    const r = root(i);
    const best = candidates[r];
    if (shown.has(r) || !best) continue;
    shown.add(r);
    list.push(best);
  }
  return list;
}
