/**
 * Sealing and verifying the per-community audit chain (design.md section 2).
 * Appends (`audit-append.ts`) only insert unsealed rows, so a busy vote never
 * queues on the chain head; the sealer later links them in `seq` order under a
 * row lock on the community's `AuditSeal`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ChainEntry,
  type ChainFields,
  type ChainVerdict,
  chainHash,
  GENESIS_HASH,
  verifyChain,
} from '../domain/audit-chain.ts';
import { YishiError } from '../errors.ts';
import { sha256 } from './audit-append.ts';
import type { SqlDriver } from './sql-driver.ts';
import type { SqlReads } from './sql-rows.ts';
import type { SqlSession } from './sql-session.ts';

export type SealOptions = {
  /** Longest wait for in-flight audit writers to finish; default 10 000 ms. */
  writersTimeoutMs?: number;
  /** Entries linked per transaction; default 1 000. */
  batchSize?: number;
};

export type ChainBreak = Extract<ChainVerdict, { kind: 'broken' }>['reason'];

export type AuditVerdict =
  | { kind: 'intact'; entries: number /** Entries appended but not sealed yet. */; pending: number }
  | {
      kind: 'broken';
      chainIndex: number;
      /** Null when the entry itself is gone (deleted from the end of the chain). */
      seq: string | null;
      /** `seal_mismatch`: sealed entries beyond the head recorded in `AuditSeal`. */
      reason: ChainBreak | 'seal_mismatch';
    }
  | { kind: 'community_unknown'; communityId: string };

type Db = Pick<SqlDriver, 'query' | 'transaction'>;

/**
 * Links every unsealed entry of the community into its hash chain, in `seq`
 * order, continuing from `AuditSeal`. Safe to run from several processes at
 * once. Returns how many entries were sealed (0 when none were pending).
 * Throws a YishiError `audit_writers_busy` when a transaction writing audit
 * entries stays open longer than `writersTimeoutMs` (so never call it while
 * holding such a transaction yourself), and `audit_seal_behind` when sealed
 * rows lie beyond the recorded head.
 */
export async function sealAudit(
  sql: Db,
  communityId: string,
  now: Date,
  options: SealOptions = {},
): Promise<number> {
  const { writersTimeoutMs = 10_000, batchSize = 1_000 } = options;
  // Why not a grace window on `at`: a transaction may take its `seq` and commit
  // seconds later (pool waits, slow statements), so "older than 2 s" can still
  // seal past a lower `seq` that commits afterwards, and verifyChain requires
  // `seq` to increase along the chain. Instead we wait, like CREATE INDEX
  // CONCURRENTLY, for every transaction that holds a write lock on AuditEntry
  // now. Any entry with a `seq` below `bound` took it before this moment, from
  // a transaction that held that lock from before its nextval until its end;
  // so after the wait all such entries are committed (or rolled back) and
  // visible, and every later commit has a higher `seq` (nextval only grows;
  // the sequence has CACHE 1). Appends are never blocked: we only watch locks.
  const bound = await maxUnsealedSeq(sql, communityId);
  if (bound === null) return 0;
  await waitForAuditWriters(sql, writersTimeoutMs);

  let sealed = 0;
  for (;;) {
    const count = await sql.transaction((tx) => sealBatch(tx, communityId, bound, now, batchSize));
    sealed += count;
    if (count < batchSize) return sealed;
  }
}

/** The highest unsealed `seq`, as text (a bigint). */
async function maxUnsealedSeq(sql: SqlReads, communityId: string): Promise<string | null> {
  const [found] = await sql.query<{ seq: string | null }>(
    `SELECT max(seq)::text AS seq FROM "AuditEntry" WHERE "communityId" = $1 AND "chainIndex" IS NULL`,
    [communityId],
  );
  return found?.seq ?? null;
}

async function waitForAuditWriters(sql: SqlReads, timeoutMs: number): Promise<void> {
  // Virtual transaction ids are unique per transaction (pids are reused), so a
  // writer that finished is never confused with a new one on the same backend.
  const writers = await sql.query<{ vxid: string }>(
    `SELECT DISTINCT virtualtransaction AS vxid FROM pg_locks
     WHERE locktype = 'relation' AND relation = '"AuditEntry"'::regclass
       AND mode = 'RowExclusiveLock' AND pid <> pg_backend_pid()`,
  );
  if (writers.length === 0) return;
  const vxids = writers.map((w) => w.vxid);
  const deadline = Date.now() + timeoutMs;
  for (let delayMs = 5; ; delayMs = Math.min(delayMs * 2, 100)) {
    const open = await sql.query<{ pid: number; age: string }>(
      `SELECT l.pid, coalesce(extract(epoch FROM now() - a.xact_start)::int, 0)::text AS age
       FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'virtualxid' AND l.virtualtransaction = ANY($1::text[])`,
      [vxids],
    );
    if (open.length === 0) return;
    if (Date.now() >= deadline) {
      const oldest = open[0];
      throw new YishiError(
        'audit_writers_busy',
        `cannot seal the audit chain: a transaction writing audit entries (pid ${oldest?.pid}, open ${oldest?.age}s) has not finished within ${timeoutMs} ms`,
        { userMessage: 'The audit log is busy; seal again in a moment.' },
      );
    }
    await sleep(delayMs);
  }
}

async function sealBatch(
  tx: SqlSession,
  communityId: string,
  bound: string,
  now: Date,
  batchSize: number,
): Promise<number> {
  await tx.execute(
    `INSERT INTO "AuditSeal" ("communityId", "lastIndex", "lastHash", "sealedAt")
     VALUES ($1, -1, $2, $3) ON CONFLICT DO NOTHING`,
    [communityId, GENESIS_HASH, now],
  );
  const [head] = await tx.query<{
    lastIndex: number;
    lastHash: string;
    highestIndex: number | null;
  }>(
    `SELECT "lastIndex", "lastHash",
            (SELECT max("chainIndex") FROM "AuditEntry" WHERE "communityId" = $1) AS "highestIndex"
     FROM "AuditSeal" WHERE "communityId" = $1 FOR UPDATE`,
    [communityId],
  );
  if (!head)
    throw new YishiError('audit_seal_missing', `no AuditSeal row for community ${communityId}`);

  const { highestIndex } = head;
  if (highestIndex !== null && highestIndex > head.lastIndex) {
    // Sealing on would collide with existing chain indexes; someone edited the
    // seal or forged sealed rows. Verification names the problem.
    throw new YishiError(
      'audit_seal_behind',
      `audit chain of community ${communityId} holds entry #${highestIndex} beyond its seal (#${head.lastIndex}); run yishi audit verify`,
    );
  }

  const rows = await tx.query<HashedRow>(
    `SELECT seq::text AS seq, actor, action, subject, at, "payloadHash" FROM "AuditEntry"
     WHERE "communityId" = $1 AND "chainIndex" IS NULL AND seq <= $2::bigint
     ORDER BY "AuditEntry".seq LIMIT $3`,
    [communityId, bound, batchSize],
  );
  if (rows.length === 0) return 0;

  let prevHash = head.lastHash;
  let chainIndex = head.lastIndex;
  const seqs: string[] = [];
  const indexes: number[] = [];
  const prevHashes: string[] = [];
  const hashes: string[] = [];
  for (const row of rows) {
    chainIndex += 1;
    const fields = chainFields(row, chainIndex);
    const hash = chainHash(sha256, prevHash, fields);
    seqs.push(fields.seq);
    indexes.push(chainIndex);
    prevHashes.push(prevHash);
    hashes.push(hash);
    prevHash = hash;
  }
  await tx.execute(
    `UPDATE "AuditEntry" AS e
     SET "chainIndex" = v.ci, "prevHash" = v.prev, "hash" = v.hash
     FROM unnest($1::text[]::bigint[], $2::int[], $3::text[], $4::text[]) AS v(seq, ci, prev, hash)
     WHERE e.seq = v.seq`,
    [seqs, indexes.map(String), prevHashes, hashes],
  );
  await tx.execute(
    `UPDATE "AuditSeal" SET "lastIndex" = $2, "lastHash" = $3, "sealedAt" = $4
     WHERE "communityId" = $1`,
    [communityId, chainIndex, prevHash, now],
  );
  return rows.length;
}

type HashedRow = {
  /** A bigint, as text. */
  seq: string;
  actor: string;
  action: string;
  subject: string;
  at: Date;
  payloadHash: string;
};

/** The fields the chain hash covers, read the same way when sealing and when verifying. */
function chainFields(row: HashedRow, chainIndex: number): ChainFields {
  return {
    chainIndex,
    seq: row.seq,
    actor: row.actor,
    action: row.action,
    subject: row.subject,
    at: row.at.toISOString(),
    payloadHash: row.payloadHash,
  };
}

/** The sealed entries of a community in chain order, as verifyChain takes them. */
export async function loadChain(sql: SqlReads, communityId: string): Promise<ChainEntry[]> {
  const rows = await sql.query<
    HashedRow & {
      chainIndex: number;
      payload: unknown;
      prevHash: string | null;
      hash: string | null;
    }
  >(
    `SELECT seq::text AS seq, actor, action, subject, at, "payloadHash", "chainIndex", payload,
            "prevHash", hash
     FROM "AuditEntry" WHERE "communityId" = $1 AND "chainIndex" IS NOT NULL
     ORDER BY "chainIndex"`,
    [communityId],
  );
  return rows.map((row) => ({
    ...chainFields(row, row.chainIndex),
    payload: row.payload,
    prevHash: row.prevHash,
    hash: row.hash,
  }));
}

/**
 * Seals pending entries, then checks the whole chain of the community against
 * its hashes and its seal: names the first edited, missing or reordered entry,
 * including entries deleted from the end. `pending` counts entries appended
 * while sealing was impossible (a writer stayed open too long).
 */
export async function verifyAudit(sql: Db, communityId: string, now: Date): Promise<AuditVerdict> {
  const [community] = await sql.query('SELECT 1 FROM "Community" WHERE id = $1', [communityId]);
  if (!community) return { kind: 'community_unknown', communityId };
  try {
    await sealAudit(sql, communityId, now);
  } catch (error) {
    // A busy writer or a broken seal must not stop us verifying what is sealed.
    if (!(error instanceof YishiError)) throw error;
  }
  return (await checkSealedAudit(sql, communityId)).verdict;
}

/**
 * Checks what is sealed so far without sealing anything: a read-only check for
 * public pages (a GET must not write; the maintenance job seals hourly).
 * Unsealed entries are counted as `pending`; `sealedAt` is the seal's time in
 * the same snapshot as the verdict.
 */
export async function checkSealedAudit(
  sql: Db,
  communityId: string,
): Promise<{ verdict: AuditVerdict; sealedAt: Date | null }> {
  // One snapshot for the seal and the chain, so a concurrent sealer cannot
  // make them disagree.
  const { seal, chain, pending } = await sql.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    const [seal] = await tx.query<{ lastIndex: number; lastHash: string; sealedAt: Date }>(
      `SELECT "lastIndex", "lastHash", "sealedAt" FROM "AuditSeal" WHERE "communityId" = $1`,
      [communityId],
    );
    const chain = await loadChain(tx, communityId);
    const [unsealed] = await tx.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "AuditEntry" WHERE "communityId" = $1 AND "chainIndex" IS NULL`,
      [communityId],
    );
    return { seal: seal ?? null, chain, pending: unsealed?.n ?? 0 };
  });
  return { verdict: judgeChain(chain, seal, pending), sealedAt: seal?.sealedAt ?? null };
}

function judgeChain(
  chain: readonly ChainEntry[],
  seal: { lastIndex: number; lastHash: string } | null,
  pending: number,
): AuditVerdict {
  const verdict = verifyChain(sha256, chain);
  if (verdict.kind === 'broken') {
    const moved = verdict.reason === 'entry_altered' && isMoved(chain, verdict.chainIndex);
    return moved ? { ...verdict, reason: 'order_changed' } : verdict;
  }
  const lastIndex = seal?.lastIndex ?? -1;
  const last = chain.at(-1);
  if (chain.length < lastIndex + 1) {
    // The chain is intact up to its end, but the seal knows later entries.
    return { kind: 'broken', chainIndex: chain.length, seq: null, reason: 'entry_missing' };
  }
  if (chain.length > lastIndex + 1) {
    const extra = chain[lastIndex + 1];
    return {
      kind: 'broken',
      chainIndex: lastIndex + 1,
      seq: extra?.seq ?? null,
      reason: 'seal_mismatch',
    };
  }
  if (last && last.hash !== seal?.lastHash) {
    // The last entry was rewritten together with its hash.
    return { kind: 'broken', chainIndex: last.chainIndex, seq: last.seq, reason: 'entry_altered' };
  }
  return { kind: 'intact', entries: chain.length, pending };
}

/**
 * True when the entry at `position` is a genuine entry of another position:
 * moved with its hashes (chainIndex rewritten), or its content moved into
 * another row's hashes. Distinguishes "reordered" from "edited".
 */
function isMoved(chain: readonly ChainEntry[], position: number): boolean {
  const entry = chain[position];
  if (!entry) return false;
  for (const [other, row] of chain.entries()) {
    if (other === position) continue;
    const fields: ChainFields = {
      chainIndex: other,
      seq: entry.seq,
      actor: entry.actor,
      action: entry.action,
      subject: entry.subject,
      at: entry.at,
      payloadHash: entry.payloadHash,
    };
    if (entry.prevHash !== null && chainHash(sha256, entry.prevHash, fields) === entry.hash)
      return true;
    if (row.prevHash !== null && chainHash(sha256, row.prevHash, fields) === row.hash) return true;
  }
  return false;
}
