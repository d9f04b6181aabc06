/**
 * `yishi board link --community ID [--rotate]` prints the board's URL (the
 * key is made on first use; --rotate makes the old URL answer 404), and
 * `yishi community policy --community ID --set key=value ... | --file policy.json`
 * changes the policy, validated like `community create --policy` and audited.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { boardLink, changePolicy, type PolicyChange } from '../app/community-settings.ts';
import { loadConfig } from '../config.ts';
import { cryptoRandom, systemClock } from '../runtime/system.ts';
import { communitySettingsStore } from '../store/community-settings-store.ts';
import type { Database } from '../store/database.ts';

type WithDatabase = <T>(work: (db: Database) => Promise<T>) => Promise<T>;

const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
function refuse(message: string, code = 1): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = code;
}

/** `value` as JSON when it parses (numbers, null, lists), else the plain string. */
function settingValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerBoardCommands(program: Command, withDatabase: WithDatabase): void {
  const deps = (db: Database) => ({
    clock: systemClock,
    random: cryptoRandom,
    settings: communitySettingsStore(db),
  });

  program
    .command('board')
    .description('the public board')
    .command('link')
    .description(
      'print the board URL (policy board "link" or "public"); --rotate makes the old one stop working',
    )
    .requiredOption('--community <id>', 'community id')
    .option('--rotate', 'replace the key: the old URL answers 404')
    .action(async (opts: { community: string; rotate?: boolean }) => {
      const outcome = await withDatabase((db) =>
        boardLink(deps(db), { communityId: opts.community, rotate: Boolean(opts.rotate) }),
      );
      if (outcome.kind === 'community_unknown') {
        return refuse(`no community with id ${outcome.communityId} (see: yishi community create)`);
      }
      const origin = (loadConfig().publicUrl ?? `http://localhost:${loadConfig().port}`).replace(
        /\/+$/,
        '',
      );
      print(`${origin}/board/${outcome.key}`);
      if (outcome.access === 'off') {
        process.stderr.write(
          'note: the board is off for this community (policy board=off); the link answers 404 until: yishi community policy --community ID --set board=link\n',
        );
      }
    });

  const community =
    program.commands.find((c) => c.name() === 'community') ?? program.command('community');
  community
    .command('policy')
    .description(
      'change the policy: --set key=value (repeatable, e.g. board=off, quorumRatio=0.6) or --file policy.json',
    )
    .requiredOption('--community <id>', 'community id')
    .option('--set <key=value>', 'one setting; nested with a dot (digest.time=10:00)', collect, [])
    .option('--file <file>', 'a whole policy file replacing the current overrides')
    .action(async (opts: { community: string; set: string[]; file?: string }) => {
      if (opts.set.length > 0 === Boolean(opts.file)) {
        return refuse('give either --set key=value (one or more) or --file policy.json', 2);
      }
      let change: PolicyChange;
      if (opts.file) {
        const text = await readFile(opts.file, 'utf8').catch(() => null);
        if (text === null) return refuse(`cannot read policy file ${opts.file}`, 2);
        try {
          change = { kind: 'replace', policy: JSON.parse(text) };
        } catch (error) {
          return refuse(`${opts.file}: not valid JSON (${(error as Error).message})`);
        }
      } else {
        const assignments = [];
        for (const item of opts.set) {
          const at = item.indexOf('=');
          if (at <= 0) return refuse(`--set ${item}: expected key=value, e.g. board=off`);
          assignments.push({
            key: item.slice(0, at).trim(),
            value: settingValue(item.slice(at + 1)),
          });
        }
        change = { kind: 'set', assignments };
      }
      const outcome = await withDatabase((db) =>
        changePolicy(deps(db), { communityId: opts.community, change }),
      );
      switch (outcome.kind) {
        case 'community_unknown':
          return refuse(
            `no community with id ${outcome.communityId} (see: yishi community create)`,
          );
        case 'invalid':
          return refuse(outcome.errors.join('\n'));
        case 'unchanged':
          return print('policy unchanged');
        case 'changed':
          return print(`policy changed: ${outcome.changedKeys.join(', ')}`);
      }
    });
}
