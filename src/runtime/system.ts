import { randomInt, randomUUID } from 'node:crypto';
import type { Clock, IdSource, RandomSource } from '../app/ports/clock.ts';

/** The real clock, ids and randomness; tests pass their own. */
export const systemClock: Clock = { now: () => new Date() };
export const uuidSource: IdSource = { next: () => randomUUID() };
export const cryptoRandom: RandomSource = {
  ints: (count, below) => Array.from({ length: count }, () => randomInt(below)),
};
