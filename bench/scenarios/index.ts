/** Every scenario, in the order a run takes them. */
import type { Scenario } from '../lib/types.ts';
import { board } from './board.ts';
import { deadlinePrecision } from './deadline-precision.ts';
import { deadlineStorm } from './deadline-storm.ts';
import { fanOut } from './fan-out.ts';
import { hotTopics } from './hot-topics.ts';
import { ingest } from './ingest.ts';
import { ingestPglite } from './ingest-pglite.ts';
import { memory } from './memory.ts';
import { recovery } from './recovery.ts';
import { tally } from './tally.ts';
import { tallyPglite } from './tally-pglite.ts';

export const scenarios: Scenario[] = [
  ingest,
  tally,
  ingestPglite,
  tallyPglite,
  deadlinePrecision,
  deadlineStorm,
  memory,
  fanOut,
  recovery,
  board,
  hotTopics,
];
