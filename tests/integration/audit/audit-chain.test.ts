import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainHash } from '../../../src/domain/audit-chain.ts';
import { deferAudit, sha256 } from '../../../src/store/audit-append.ts';
import { loadChain, sealAudit, verifyAudit } from '../../../src/store/audit-seal.ts';
import { type Database, openDatabase } from '../../../src/store/database.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { runCli } from '../../support/processes.ts';

const BASE = new Date('2026-03-01T08:00:00.000Z');
const NOW = new Date('2026-03-01T09:00:00.000Z');

describe('audit chain', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  /** A community of its own with `count` sealed entries; returns their seqs in chain order. */
  async function sealedCommunity(count = 20): Promise<{ communityId: string; seqs: bigint[] }> {
    const communityId = randomUUID();
    await db.prisma.community.create({
      data: { id: communityId, name: `社区 ${communityId.slice(0, 4)}` },
    });
    for (let i = 0; i < count; i++) {
      await db.sql.transaction(async (tx) =>
        deferAudit(tx, {
          communityId,
          actor: `resident:${i % 3}`,
          action: i % 2 ? 'ballot.cast' : 'proposal.cosigned',
          subject: `proposal:${1 + (i % 4)}`,
          payload: { n: i, choice: i % 2 ? 'for' : 'against', nested: { z: 1, a: [i, 'x'] } },
          at: new Date(BASE.getTime() + i * 1000),
        }),
      );
    }
    expect(await sealAudit(db.sql, communityId, NOW)).toBe(count);
    const chain = await loadChain(db.sql, communityId);
    expect(chain.map((e) => e.chainIndex)).toEqual([...Array(count).keys()]);
    return { communityId, seqs: chain.map((e) => BigInt(e.seq)) };
  }

  // The database is migrated already; auto-migration would also leave the
  // schema engine's connection open, delaying each CLI exit by ~10 s.
  const cli = (args: string[]) => runCli(args, { DATABASE_URL: db.url, YISHI_AUTO_MIGRATE: '0' });
  const verify = (communityId: string, ...extra: string[]) =>
    cli(['audit', 'verify', '--community', communityId, ...extra]);

  describe.concurrent('`yishi audit verify` on a sealed chain of 20 entries', () => {
    it('reports an untouched chain as intact (exit 0)', async () => {
      const { communityId } = await sealedCommunity();
      const run = await verify(communityId);
      expect(run.stderr).toBe('');
      expect(run.stdout).toBe('audit chain intact: 20 entries\n');
      expect(run.code).toBe(0);
      const json = await verify(communityId, '--json');
      expect(JSON.parse(json.stdout)).toEqual({ kind: 'intact', entries: 20, pending: 0 });
    });

    it('names the entry whose payload was edited', async () => {
      const { communityId, seqs } = await sealedCommunity();
      await db.prisma
        .$executeRaw`UPDATE "AuditEntry" SET payload = '{"n": 7, "choice": "for"}' WHERE seq = ${seqs[7]}`;
      const run = await verify(communityId);
      expect(run.stdout).toBe(`audit chain broken at entry #7 (seq ${seqs[7]}): payload altered\n`);
      expect(run.code).toBe(1);
    });

    it('names the entry whose actor was edited', async () => {
      const { communityId, seqs } = await sealedCommunity();
      await db.prisma
        .$executeRaw`UPDATE "AuditEntry" SET actor = 'resident:99' WHERE seq = ${seqs[12]}`;
      const run = await verify(communityId);
      expect(run.stdout).toBe(`audit chain broken at entry #12 (seq ${seqs[12]}): entry altered\n`);
      expect(run.code).toBe(1);
    });

    it('names the entry after a deleted middle entry', async () => {
      const { communityId, seqs } = await sealedCommunity();
      await db.prisma.$executeRaw`DELETE FROM "AuditEntry" WHERE seq = ${seqs[9]}`;
      const run = await verify(communityId);
      expect(run.stdout).toBe(`audit chain broken at entry #10 (seq ${seqs[10]}): entry missing\n`);
      expect(run.code).toBe(1);
    });

    it('detects a deleted last entry, also once newer entries are sealed after it', async () => {
      const { communityId, seqs } = await sealedCommunity();
      await db.prisma.$executeRaw`DELETE FROM "AuditEntry" WHERE seq = ${seqs[19]}`;
      const run = await verify(communityId);
      expect(run.stdout).toBe('audit chain broken at entry #19 (seq unknown): entry missing\n');
      expect(run.code).toBe(1);

      await db.sql.transaction(async (tx) =>
        deferAudit(tx, {
          communityId,
          actor: 'cli',
          action: 'x.y',
          subject: 'z',
          payload: {},
          at: NOW,
        }),
      );
      const later = await verifyAudit(db.sql, communityId, NOW);
      expect(later).toMatchObject({ kind: 'broken', chainIndex: 20, reason: 'entry_missing' });
    });

    it('detects a last entry rewritten together with its hash (the seal disagrees)', async () => {
      const { communityId, seqs } = await sealedCommunity();
      const [last] = await loadChain(db.sql, communityId).then((c) => c.slice(-1));
      if (!last) throw new Error('no chain');
      // A forger who recomputes the hash of the edited entry still misses the seal.
      const forged = { ...last, actor: 'resident:99' };
      const hash = chainHash(sha256, last.prevHash ?? '', {
        chainIndex: forged.chainIndex,
        seq: forged.seq,
        actor: forged.actor,
        action: forged.action,
        subject: forged.subject,
        at: forged.at,
        payloadHash: forged.payloadHash,
      });
      await db.prisma
        .$executeRaw`UPDATE "AuditEntry" SET actor = 'resident:99', hash = ${hash} WHERE seq = ${seqs[19]}`;
      const run = await verify(communityId);
      expect(run.stdout).toBe(`audit chain broken at entry #19 (seq ${seqs[19]}): entry altered\n`);
      expect(run.code).toBe(1);
    });

    it('names the first of two entries whose chain positions were swapped', async () => {
      const { communityId, seqs } = await sealedCommunity();
      // Three steps: the unique (communityId, chainIndex) index is checked per row.
      await db.prisma.$transaction([
        db.prisma.$executeRaw`UPDATE "AuditEntry" SET "chainIndex" = -1 WHERE seq = ${seqs[5]}`,
        db.prisma.$executeRaw`UPDATE "AuditEntry" SET "chainIndex" = 5 WHERE seq = ${seqs[6]}`,
        db.prisma.$executeRaw`UPDATE "AuditEntry" SET "chainIndex" = 6 WHERE seq = ${seqs[5]}`,
      ]);
      const run = await verify(communityId);
      expect(run.stdout).toBe(
        `audit chain broken at entry #5 (seq ${seqs[6]}): entries reordered\n`,
      );
      expect(run.code).toBe(1);
    });

    it('names the first of two entries whose contents (seq included) were swapped', async () => {
      const { communityId, seqs } = await sealedCommunity();
      const a = seqs[3];
      const b = seqs[11];
      // Equivalent to exchanging every content column: the chain columns
      // (chainIndex, prevHash, hash) stay at their positions.
      await db.prisma.$transaction([
        db.prisma.$executeRaw`UPDATE "AuditEntry" SET "chainIndex" = -1 WHERE seq = ${a}`,
        db.prisma.$executeRaw`UPDATE "AuditEntry" SET "chainIndex" = 3 WHERE seq = ${b}`,
        db.prisma.$executeRaw`UPDATE "AuditEntry" SET "chainIndex" = 11 WHERE seq = ${a}`,
        db.prisma.$executeRaw`
          UPDATE "AuditEntry" AS e SET "prevHash" = o."prevHash", hash = o.hash
          FROM (SELECT seq, "prevHash", hash FROM "AuditEntry" WHERE seq IN (${a}, ${b})) AS o
          WHERE e.seq IN (${a}, ${b}) AND o.seq <> e.seq`,
      ]);
      const chain = await loadChain(db.sql, communityId);
      expect(chain[3]).toMatchObject({ seq: String(b), payload: { n: 11 } });
      const run = await verify(communityId);
      expect(run.stdout).toBe(`audit chain broken at entry #3 (seq ${b}): entries reordered\n`);
      expect(run.code).toBe(1);
    });

    it('refuses an unknown community (exit 1)', async () => {
      const run = await verify('no-such-community');
      expect(run.stderr).toContain('no community with id no-such-community');
      expect(run.code).toBe(1);
    });

    it('`yishi audit seal` seals pending entries and says how many', async () => {
      const { communityId } = await sealedCommunity(3);
      for (let i = 0; i < 4; i++) {
        await db.sql.transaction(async (tx) =>
          deferAudit(tx, {
            communityId,
            actor: 'cli',
            action: 'x.y',
            subject: 'z',
            payload: { i },
            at: NOW,
          }),
        );
      }
      const run = await cli(['audit', 'seal', '--community', communityId]);
      expect(run.stdout).toBe('sealed 4 entries\n');
      expect(run.code).toBe(0);
      expect((await verify(communityId)).stdout).toBe('audit chain intact: 7 entries\n');
    });
  });

  it('200 concurrent appends with concurrent sealers give one intact chain of all 200', async () => {
    const communityId = randomUUID();
    await db.prisma.community.create({ data: { id: communityId, name: '并发社区' } });
    // Sealers get their own pool, as a worker process would.
    const sealerDb: Database = await openDatabase({ kind: 'postgres', url: db.url });
    const commitOrder: number[] = [];
    let appending = true;
    const sealedByRacers: number[] = [];
    const sealer = async () => {
      while (appending) {
        sealedByRacers.push(await sealAudit(sealerDb.sql, communityId, NOW));
        await sleep(3);
      }
    };
    const started = performance.now();
    const sealers = [sealer(), sealer(), sealer()];
    await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        await db.sql.transaction(async (tx) => {
          deferAudit(tx, {
            communityId,
            actor: `resident:${i}`,
            action: 'ballot.cast',
            subject: 'vote:1',
            payload: { i },
            at: new Date(BASE.getTime() + i),
          });
          // Hold some transactions open after taking their seq, so lower seqs
          // commit after higher ones: the case the sealer must wait out.
          if (i % 3 === 0) await tx.query('SELECT pg_sleep($1)', [(i % 7) * 0.01]);
        });
        commitOrder.push(i);
      }),
    );
    appending = false;
    await Promise.all(sealers);
    await sealerDb.close();
    const appendMs = performance.now() - started;

    const verdict = await verifyAudit(db.sql, communityId, NOW);
    expect(verdict).toEqual({ kind: 'intact', entries: 200, pending: 0 });
    const chain = await loadChain(db.sql, communityId);
    expect(new Set(chain.map((e) => e.actor)).size).toBe(200);

    // The race really happened: some entries committed after entries with a
    // higher seq, and sealers sealed while appends were still running.
    const seqOf = new Map(
      chain.map((e) => [Number((e.payload as { i: number }).i), BigInt(e.seq)]),
    );
    const commitSeqs = commitOrder.map((i) => seqOf.get(i) ?? 0n);
    const lateCommits = commitSeqs.filter((s, k) =>
      commitSeqs.slice(0, k).some((earlier) => earlier > s),
    ).length;
    expect(lateCommits).toBeGreaterThan(0);
    const sealedConcurrently = sealedByRacers.reduce((a, b) => a + b, 0);
    expect(sealedConcurrently).toBeGreaterThan(0);
    console.info(
      `200 appends + 3 sealers: ${appendMs.toFixed(0)} ms, ${lateCommits} late commits, ${sealedConcurrently} sealed by the racing sealers in ${sealedByRacers.filter((n) => n > 0).length} batches`,
    );
  });
});
