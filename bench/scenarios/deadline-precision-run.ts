/** What both deadline-precision runs (bare BullMQ and the product's workers) take and give back. */
import type { LatencySummary } from '../lib/latency.ts';

export type PrecisionSizes = { backlog: number; everyMs: number; forMs: number; leadMs: number };

export type PrecisionRun = { lateness: LatencySummary; missing: number; early: number };
