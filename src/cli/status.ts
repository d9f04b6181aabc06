/**
 * `yishi status --community ID [N] [--json]`: one proposal or resolution (its
 * state, counts, tally once closed, deadlines, escalation level), or without
 * N the open list. Exit 1 for an unknown community or number.
 */
import type { Command } from 'commander';
import {
  openStatus,
  type ProposalStatusView,
  proposalStatus,
  type ResolutionStatusView,
} from '../app/status.ts';
import { systemClock } from '../runtime/system.ts';
import type { Database } from '../store/database.ts';
import { statusReader } from '../store/status-store.ts';

type WithDatabase = <T>(work: (db: Database) => Promise<T>) => Promise<T>;

const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function refuse(message: string): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = 1;
}

function describeResolution(r: ResolutionStatusView): string[] {
  const coop = r.coop.length > 0 ? `, with ${r.coop.join(', ')}` : '';
  const overdue = r.overdue ? ', OVERDUE' : '';
  const lines = [
    `  resolution: ${r.state}, ${r.progress}% — lead ${r.lead}${coop}; due ${r.dueAt}${overdue}`,
    `  escalation level: ${r.escalationLevel}${r.flagged ? '; flagged (survey under the satisfaction bar)' : ''}`,
  ];
  if (r.latestNote !== null) lines.push(`  latest note: ${r.latestNote}`);
  return lines;
}

/** The lines `yishi status N` prints for one view. */
export function describeStatus(v: ProposalStatusView): string[] {
  const lines = [`#${v.number} ${v.title} [${v.category}] — ${v.state}`];
  lines.push(`  co-signs: ${v.cosigns}/${v.cosignThreshold} (window ends ${v.cosignDeadline})`);
  if (v.votingOpensAt !== null || v.votingClosesAt !== null) {
    lines.push(`  vote: opens ${v.votingOpensAt ?? '-'}, closes ${v.votingClosesAt ?? '-'}`);
  }
  if (v.turnout !== null) {
    lines.push(`  turnout: ${v.turnout.ballots}/${v.turnout.eligible} eligible`);
  }
  if (v.tally !== null) {
    const t = v.tally;
    lines.push(
      `  tally: for ${t.for}, against ${t.against}, abstain ${t.abstain}${v.result ? ` — ${v.result}` : ''}`,
    );
  } else if (v.state === 'voting') {
    lines.push('  tally: hidden until the vote closes');
  }
  if (v.resolution !== null) lines.push(...describeResolution(v.resolution));
  return lines;
}

/** The one line per item of `yishi status` without N. */
export function describeOpenItem(v: ProposalStatusView): string {
  const r = v.resolution;
  if (r !== null) {
    const flags = `${r.overdue ? ', overdue' : ''}${r.escalationLevel > 0 ? `, escalation ${r.escalationLevel}` : ''}`;
    return `#${v.number} ${v.title} — resolution ${r.state} ${r.progress}%, due ${r.dueAt}${flags}`;
  }
  switch (v.state) {
    case 'collecting':
      return `#${v.number} ${v.title} — collecting ${v.cosigns}/${v.cosignThreshold} co-signs until ${v.cosignDeadline}`;
    case 'voting':
      return `#${v.number} ${v.title} — voting, turnout ${v.turnout?.ballots ?? 0}/${v.turnout?.eligible ?? 0}, closes ${v.votingClosesAt ?? '-'}`;
    default:
      return `#${v.number} ${v.title} — ${v.state}, vote opens ${v.votingOpensAt ?? '-'}`;
  }
}

export function registerStatusCommands(program: Command, withDatabase: WithDatabase): void {
  program
    .command('status')
    .description('one proposal or resolution (#N), or the open list')
    .requiredOption('--community <id>', 'community id')
    .argument('[N]', 'proposal number')
    .option('--json', 'print the view as JSON')
    .action(async (n: string | undefined, opts: { community: string; json?: boolean }) => {
      const now = systemClock.now();
      if (n !== undefined) {
        const number = /^#?\d{1,9}$/.test(n) ? Number(n.replace('#', '')) : Number.NaN;
        if (!Number.isSafeInteger(number) || number < 1) {
          return refuse(`proposal number must be a whole number like 12, got "${n}"`);
        }
        const outcome = await withDatabase((db) =>
          proposalStatus(statusReader(db), {
            communityId: opts.community,
            number,
            now,
          }),
        );
        if (outcome.kind === 'community_unknown') {
          return refuse(
            `no community with id ${outcome.communityId} (see: yishi community create)`,
          );
        }
        if (outcome.kind === 'proposal_unknown') {
          return refuse(
            `no proposal #${outcome.number} in community ${outcome.communityId} (run yishi status --community ${outcome.communityId} for the open list)`,
          );
        }
        if (opts.json) return print(JSON.stringify(outcome.view));
        for (const line of describeStatus(outcome.view)) print(line);
        return;
      }
      const outcome = await withDatabase((db) =>
        openStatus(statusReader(db), { communityId: opts.community, now }),
      );
      if (outcome.kind === 'community_unknown') {
        return refuse(`no community with id ${outcome.communityId} (see: yishi community create)`);
      }
      if (opts.json) return print(JSON.stringify(outcome.items));
      if (outcome.items.length === 0) return print('no open proposals or resolutions');
      for (const item of outcome.items) print(describeOpenItem(item));
    });
}
