/**
 * Tally under contention on the embedded database: the `tally` scenario's
 * voters, presses, duplicates and checks, against a gateway started as
 * `npm start` runs by default (no DATABASE_URL: PGlite in a fresh data
 * directory). The scenario seeds, closes the vote and counts through the
 * socket the gateway serves the directory on, as a CLI command does while the
 * server runs.
 */
import { withEmbeddedDatabase } from '../lib/embedded-database.ts';
import type { Scenario } from '../lib/types.ts';
import { measureTally } from './tally.ts';

export const tallyPglite: Scenario = {
  name: 'tally-pglite',
  title: 'Tally under contention, embedded PGlite',
  run: (ctx) =>
    withEmbeddedDatabase((home) =>
      measureTally(
        ctx,
        { use: (work) => home.served(work), gateway: { embeddedHome: home.home } },
        // Quick: within the smoke test's share (both embedded scenarios add at most ~30 s).
        {
          voters: ctx.quick ? 60 : 10_000,
          inFlight: ctx.quick ? 10 : 500,
          budgetMs: ctx.quick ? 3_000 : 90_000,
        },
      ),
    ),
};
