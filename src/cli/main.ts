/**
 * `yishi` — the committee's command line (design.md section 4). Commander
 * parses arguments; each command opens the database, calls one use case and
 * prints its outcome. Exit codes: 0 done, 1 refused input, 2 setup problem.
 */
import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import {
  applyMigrations,
  createMigration,
  pendingMigrations,
  scratchMigrationDatabase,
} from '../../prisma/migrate.ts';
import { createCommunity } from '../app/create-community.ts';
import { importRoster } from '../app/import-roster.ts';
import { issueJoinCodes } from '../app/issue-join-codes.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { describeError, YishiError } from '../errors.ts';
import { rosterDeps } from '../runtime/roster-deps.ts';
import { systemClock } from '../runtime/system.ts';
import { type Database, openDatabase } from '../store/database.ts';
import { appliedMigrationNames } from '../store/migration-state.ts';
import { registerAuditCommands } from './audit.ts';
import { registerBoardCommands } from './board.ts';
import { registerChatCommands } from './chat.ts';
import { readRosterCsv } from './csv.ts';
import { registerResidentCommands } from './resident.ts';
import { registerStatusCommands } from './status.ts';

class ExitError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Opens the database for a command that reads or changes data. It never
 * migrates (only `db migrate` and the server's start do), so it never waits on
 * the schema engine's lock while a server starts; a database behind this
 * version is refused in one line saying how to bring it up to date.
 */
async function withDatabase<T>(work: (db: Database) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = await openDatabase(config.database, { timeouts: config.databaseTimeouts });
  try {
    const pending = await pendingMigrations(await appliedMigrationNames(db));
    if (pending.length > 0) {
      fail(
        2,
        `yishi: the database is ${pending.length} migration(s) behind this version (${pending.at(-1)}); run \`npx yishi db migrate\` (the server also migrates when it starts)`,
      );
    }
    return await work(db);
  } finally {
    await db.close();
  }
}

const print = (line: string) => process.stdout.write(`${line}\n`);
const fail = (code: number, message: string): never => {
  throw new ExitError(code, message);
};

const program = new Command('yishi')
  .description('议事 yishi: community participation gateway — committee tools')
  .showHelpAfterError();

const community = program.command('community').description('communities');
community
  .command('create')
  .description('create a community with the default policy of the source plan')
  .requiredOption('--name <name>', 'community name')
  .option('--timezone <tz>', 'IANA time zone', 'Asia/Shanghai')
  .addOption(
    new Option('--locale <locale>', 'default chat language')
      .choices(['zh-CN', 'en'])
      .default('zh-CN'),
  )
  .option('--policy <file>', 'JSON file overriding policy defaults')
  .option('--json', 'print {"id", "name"} as JSON')
  .action(
    async (opts: {
      name: string;
      timezone: string;
      locale: string;
      policy?: string;
      json?: boolean;
    }) => {
      let policy: unknown = {};
      if (opts.policy) {
        const text = await readFile(opts.policy, 'utf8').catch(() =>
          fail(2, `cannot read policy file ${opts.policy}`),
        );
        try {
          policy = JSON.parse(text);
        } catch (error) {
          fail(1, `${opts.policy}: not valid JSON (${(error as Error).message})`);
        }
      }
      await withDatabase(async (db) => {
        const outcome = await createCommunity(rosterDeps(db), {
          name: opts.name,
          timezone: opts.timezone,
          locale: opts.locale,
          policy,
        });
        if (outcome.kind === 'invalid') fail(1, outcome.errors.join('\n'));
        else if (opts.json) print(JSON.stringify({ id: outcome.id, name: outcome.name }));
        else print(outcome.id);
      });
    },
  );

const roster = program.command('roster').description('the household roster');
roster
  .command('import')
  .description(
    'import households and residents from CSV (building,unit,name,roles,telegram_user_id,slack_user_id). Handles personal data: names and chat accounts',
  )
  .requiredOption('--community <id>', 'community id')
  .argument('<file>', 'CSV file')
  .action(async (file: string, opts: { community: string }) => {
    const csv = await readRosterCsv(file, Boolean(process.stderr.isTTY));
    if (!csv.ok) fail(1, csv.problem);
    const records = csv.ok ? csv.records : [];
    await withDatabase(async (db) => {
      const outcome = await importRoster(rosterDeps(db), { communityId: opts.community, records });
      switch (outcome.kind) {
        case 'community_unknown':
          return fail(
            1,
            `no community with id ${outcome.communityId} (see: yishi community create)`,
          );
        case 'invalid':
          for (const p of outcome.problems) process.stderr.write(`line ${p.line}: ${p.reason}\n`);
          return fail(
            1,
            `nothing imported: ${outcome.problems.length} problem(s) in ${new Set(outcome.problems.map((p) => p.line)).size} line(s) of ${records.length}`,
          );
        case 'imported':
          print(
            `imported ${records.length} rows: ${outcome.created} created, ${outcome.updated} updated, ${outcome.unchanged} unchanged; ${outcome.households} households in ${outcome.buildings} buildings`,
          );
      }
    });
  });
roster
  .command('codes')
  .description(
    'issue one single-use join code per household (earlier unused codes stop working). Prints personal data: households and their codes',
  )
  .requiredOption('--community <id>', 'community id')
  .option('--json', 'print [{"building","unit","code"}] as JSON')
  .action(async (opts: { community: string; json?: boolean }) => {
    await withDatabase(async (db) => {
      const outcome = await issueJoinCodes(rosterDeps(db), { communityId: opts.community });
      if (outcome.kind === 'community_unknown')
        return fail(1, `no community with id ${outcome.communityId}`);
      if (opts.json) return print(JSON.stringify(outcome.codes));
      for (const c of outcome.codes) print(`${c.building}\t${c.unit}\t${c.code}`);
    });
  });

const database = program.command('db').description('database schema');
database
  .command('migrate')
  .description('apply pending migrations')
  .action(async () => {
    const config = loadConfig();
    const db = await openDatabase(config.database);
    try {
      const applied = await applyMigrations(await db.migrationAdapter());
      print(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
    } finally {
      await db.close();
    }
  });
database
  .command('migration')
  .description(
    'write a new migration from the difference between prisma/migrations and schema.prisma',
  )
  .argument('<name>', 'short name, e.g. add_ballots')
  .action(async (name: string) => {
    // The diff runs on a throwaway in-memory database: no server needed.
    const db = await scratchMigrationDatabase();
    try {
      const folder = await createMigration(db.adapterFactory, name, systemClock.now());
      print(
        folder
          ? `wrote prisma/migrations/${folder}/migration.sql`
          : 'schema.prisma and the migrations agree: nothing to write',
      );
    } finally {
      await db.close();
    }
  });

registerChatCommands(program, withDatabase);
registerAuditCommands(program, withDatabase);
registerStatusCommands(program, withDatabase);
registerBoardCommands(program, withDatabase);
registerResidentCommands(program, withDatabase);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof ExitError) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = error.exitCode;
  } else if (error instanceof ConfigError || error instanceof YishiError) {
    process.stderr.write(`yishi: ${error.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`yishi: ${describeError(error)}\n`);
    process.exitCode = 2;
  }
}
// The WebAssembly schema engine leaves a timer behind that would hold the
// process ~10 s after the work is done; a CLI has nothing left to wait for.
// Exit once stdout and stderr have drained.
await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
await new Promise<void>((resolve) => process.stderr.write('', () => resolve()));
process.exit(process.exitCode ?? 0);
