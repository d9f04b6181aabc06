/** Time, ids and randomness enter the core only through these. */
export interface Clock {
  /** The current instant. Read once per use case and passed down. */
  now(): Date;
}

export interface IdSource {
  /** A new unique id (UUID text). */
  next(): string;
}

export interface RandomSource {
  /** `count` cryptographically random integers in [0, below). */
  ints(count: number, below: number): number[];
}
