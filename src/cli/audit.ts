/**
 * `yishi audit seal|verify`: seal pending audit entries into the community's
 * hash chain, and check that chain (exit 0 intact, 1 broken or unknown
 * community).
 */
import type { Command } from 'commander';
import { systemClock } from '../runtime/system.ts';
import { type AuditVerdict, sealAudit, verifyAudit } from '../store/audit-seal.ts';
import type { Database } from '../store/database.ts';

type WithDatabase = <T>(work: (db: Database) => Promise<T>) => Promise<T>;

const REASONS: Record<Extract<AuditVerdict, { kind: 'broken' }>['reason'], string> = {
  payload_altered: 'payload altered',
  entry_altered: 'entry altered',
  entry_missing: 'entry missing',
  order_changed: 'entries reordered',
  seal_mismatch:
    'entry not covered by the seal (the AuditSeal row was edited or entries were forged)',
};

const print = (line: string) => process.stdout.write(`${line}\n`);

function unknownCommunity(communityId: string): void {
  process.stderr.write(`no community with id ${communityId} (see: yishi community create)\n`);
  process.exitCode = 1;
}

/** The words `yishi audit verify` prints for a verdict. */
export function describeVerdict(
  verdict: Exclude<AuditVerdict, { kind: 'community_unknown' }>,
): string {
  if (verdict.kind === 'intact') {
    const pending = verdict.pending > 0 ? `; ${verdict.pending} newer entries not sealed yet` : '';
    return `audit chain intact: ${verdict.entries} entries${pending}`;
  }
  return `audit chain broken at entry #${verdict.chainIndex} (seq ${verdict.seq ?? 'unknown'}): ${REASONS[verdict.reason]}`;
}

export function registerAuditCommands(program: Command, withDatabase: WithDatabase): void {
  const audit = program.command('audit').description('the tamper-evident audit log');
  audit
    .command('verify')
    .description('seal pending entries, then check the hash chain and name the first bad entry')
    .requiredOption('--community <id>', 'community id')
    .option('--json', 'print the verdict as JSON')
    .action(async (opts: { community: string; json?: boolean }) => {
      const verdict = await withDatabase((db) =>
        verifyAudit(db.sql, opts.community, systemClock.now()),
      );
      if (verdict.kind === 'community_unknown') return unknownCommunity(verdict.communityId);
      print(opts.json ? JSON.stringify(verdict) : describeVerdict(verdict));
      process.exitCode = verdict.kind === 'intact' ? 0 : 1;
    });
  audit
    .command('seal')
    .description('link pending audit entries into the hash chain')
    .requiredOption('--community <id>', 'community id')
    .action(async (opts: { community: string }) => {
      const sealed = await withDatabase(async (db) => {
        const found = await db.sql.query('SELECT 1 FROM "Community" WHERE id = $1', [
          opts.community,
        ]);
        return found.length > 0 ? sealAudit(db.sql, opts.community, systemClock.now()) : null;
      });
      if (sealed === null) return unknownCommunity(opts.community);
      print(`sealed ${sealed} ${sealed === 1 ? 'entry' : 'entries'}`);
    });
}
