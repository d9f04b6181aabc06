/**
 * What both memory runs (bare BullMQ and the product's workers) give back.
 * `pending`: deadlines pending (for the product, in PostgreSQL); `jobs`: of
 * them, those the product keeps in Redis (within its horizon).
 */
export type MemoryStep = {
  pending: number;
  redisBytes: number;
  rssMb: number | null;
  jobs?: number;
  passMs?: number;
};
export type MemoryRun = { steps: MemoryStep[]; bytesPerDeadline: number };
