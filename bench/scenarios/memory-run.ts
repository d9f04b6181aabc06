/** What both memory runs (bare BullMQ and the product's workers) give back. */
export type MemoryStep = { pending: number; redisBytes: number; rssMb: number | null };
export type MemoryRun = { steps: MemoryStep[]; bytesPerDeadline: number };
