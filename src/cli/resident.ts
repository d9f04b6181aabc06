/**
 * `yishi resident export|erase --community ID --unit UNIT`: what the gateway
 * holds about one household (README "Personal data", format
 * `yishi.household/1`), and its erasure when it moves out. Exit 1 for an
 * unknown community or unit.
 */
import type { Command } from 'commander';
import { systemClock } from '../runtime/system.ts';
import type { Database } from '../store/database.ts';
import { eraseHousehold, exportHousehold } from '../store/personal-data-store.ts';

type WithDatabase = <T>(work: (db: Database) => Promise<T>) => Promise<T>;

const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const PERSONAL =
  'Reads personal data (names, chat accounts, ballots): run it for the household itself.';

function refuse(message: string): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = 1;
}

const unknown = (
  kind: 'community_unknown' | 'unit_unknown',
  o: { community: string; unit: string },
) =>
  kind === 'community_unknown'
    ? `no community with id ${o.community} (see: yishi community create)`
    : `no household ${o.unit} in community ${o.community} (write the unit as on the roster, e.g. 3-201)`;

export function registerResidentCommands(program: Command, withDatabase: WithDatabase): void {
  const resident = program
    .command('resident')
    .description('what is held about a household, and erasing it when it moves out');
  resident
    .command('export')
    .description(`everything held about a household and its chat accounts. ${PERSONAL}`)
    .requiredOption('--community <id>', 'community id')
    .requiredOption('--unit <unit>', 'the household unit, e.g. 3-201')
    .option('--json', 'print the export as JSON (format yishi.household/1)')
    .action(async (opts: { community: string; unit: string; json?: boolean }) => {
      const outcome = await withDatabase((db) =>
        exportHousehold(db, opts.community, opts.unit, systemClock.now()),
      );
      if (outcome.kind !== 'exported') return refuse(unknown(outcome.kind, opts));
      const d = outcome.data;
      if (opts.json) return print(JSON.stringify(d, null, 2));
      print(`household ${d.household.building} ${d.household.unit} (${d.household.id})`);
      for (const r of d.residents) {
        const accounts = r.chatAccounts.map((a) => `${a.platform}:${a.userId}`).join(', ');
        print(`  ${r.name} [${r.roles.join(', ')}]${accounts ? ` — ${accounts}` : ''}`);
      }
      print(
        `  ballots ${d.ballots.length}, relayed ${d.relayedBallots.length}, proposals ${d.proposals.length}, co-signs ${d.cosigns.length}, progress reports ${d.progressReports.length}, points ${d.points.length}, notices ${d.notices.length}, audit entries ${d.auditEntries.length}`,
      );
      print('  (--json for every item)');
    });
  resident
    .command('erase')
    .description(
      'erase a household that moved out: names become pseudonyms, chat accounts are deleted, later votes leave it out; closed tallies and the audit chain stay as they are. Reads personal data.',
    )
    .requiredOption('--community <id>', 'community id')
    .requiredOption('--unit <unit>', 'the household unit, e.g. 3-201')
    .option('--yes', 'erase without asking (it cannot be undone)')
    .action(async (opts: { community: string; unit: string; yes?: boolean }) => {
      if (!opts.yes) {
        return refuse(
          `erasing household ${opts.unit} cannot be undone; run \`yishi resident export\` first if they asked for a copy, then add --yes`,
        );
      }
      const outcome = await withDatabase((db) =>
        eraseHousehold(db, opts.community, opts.unit, systemClock.now()),
      );
      switch (outcome.kind) {
        case 'erased':
          return print(
            `erased household ${opts.unit}: ${outcome.residents} resident(s) renamed, ${outcome.accounts} chat account(s) unlinked and deleted`,
          );
        case 'already_erased':
          return print(
            `household ${opts.unit} was already erased on ${outcome.erasedAt.toISOString()}: nothing to do`,
          );
        case 'community_unknown':
        case 'unit_unknown':
          return refuse(unknown(outcome.kind, opts));
      }
    });
}
