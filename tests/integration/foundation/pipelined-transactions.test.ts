/**
 * A transaction's BEGIN goes out with its first statement and its COMMIT
 * with its deferred writes or its final statement (pg's pipeline mode, on
 * PostgreSQL and through the embedded database's socket; sql-session.ts). What a caller relies on must still hold:
 * a statement that fails keeps nothing of its transaction, even when the
 * COMMIT was already sent behind it; statements issued together run in the
 * order issued; and the connection serves the next transaction afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';

describe('pipelined transactions', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await db.pool.query('CREATE TABLE pipelined (id int PRIMARY KEY, note text NOT NULL)');
  });
  afterAll(async () => {
    await db?.drop();
  });

  const ids = async () =>
    (await db.pool.query<{ id: number }>('SELECT id FROM pipelined ORDER BY id')).rows.map(
      (r) => r.id,
    );
  const clear = () => db.pool.query('DELETE FROM pipelined');
  /** What the transaction failed with (it is expected to fail). */
  const failureOf = (work: Parameters<TestDatabase['sql']['transaction']>[0]) =>
    db.sql.transaction(work).catch((e: unknown) => e);

  it('commits the deferred writes sent with the COMMIT', async () => {
    await clear();
    await db.sql.transaction(async (s) => {
      await s.query('INSERT INTO pipelined VALUES (1, $1) RETURNING id', ['read back']);
      s.defer('INSERT INTO pipelined VALUES (2, $1)', ['deferred']);
      s.defer('INSERT INTO pipelined VALUES (3, $1)', ['deferred']);
    });
    expect(await ids()).toEqual([1, 2, 3]);
  });

  it('keeps nothing when a deferred write sent with the COMMIT fails', async () => {
    await clear();
    const error = await failureOf(async (s) => {
      await s.query('INSERT INTO pipelined VALUES (1, $1) RETURNING id', ['first']);
      // A NULL note: refused by the database at the commit's round trip.
      s.defer('INSERT INTO pipelined VALUES (2, $1)', [null]);
    });
    expect((error as { code?: string }).code).toBe('23502');
    expect(await ids()).toEqual([]);
  });

  it('keeps nothing when the final statement fails, though the COMMIT went out behind it', async () => {
    await clear();
    const error = await failureOf(async (s) => {
      await s.query('INSERT INTO pipelined VALUES (1, $1) RETURNING id', ['written before']);
      s.defer('INSERT INTO pipelined VALUES (2, $1)', ['carried']);
      // Carries the write, then divides by zero: the COMMIT sent behind it rolls back.
      return s.query('SELECT 1 / (count(*) - count(*)) AS n FROM pipelined', [], {
        carryDeferred: true,
        final: true,
      });
    });
    expect((error as { code?: string }).code).toBe('22012');
    expect(await ids()).toEqual([]);
    // The connection went back to the pool in a usable state.
    expect(await db.sql.transaction((s) => s.query<{ one: number }>('SELECT 1 AS one'))).toEqual([
      { one: 1 },
    ]);
  });

  it('commits the writes carried by a final read, and refuses a statement after it', async () => {
    await clear();
    const read = await db.sql.transaction(async (s) => {
      s.defer('INSERT INTO pipelined VALUES (7, $1)', ['carried']);
      // A statement does not see its own CTEs' writes: the count is of what was there before.
      const rows = await s.query<{ n: string }>('SELECT count(*) AS n FROM pipelined', [], {
        carryDeferred: true,
        final: true,
      });
      const after = await s.query('SELECT 1').catch((e: unknown) => e);
      return { rows, after };
    });
    expect(read.rows).toEqual([{ n: '0' }]);
    expect(String(read.after)).toMatch(/after the transaction ended/);
    expect(await ids()).toEqual([7]);
  });

  it('runs statements issued together in the order issued', async () => {
    await clear();
    const [, , seen] = await db.sql.transaction((s) =>
      Promise.all([
        s.query('INSERT INTO pipelined VALUES (1, $1) RETURNING id', ['a']),
        s.query('UPDATE pipelined SET note = $1 WHERE id = 1 RETURNING id', ['b']),
        s.query<{ note: string }>('SELECT note FROM pipelined WHERE id = 1'),
      ]),
    );
    expect(seen).toEqual([{ note: 'b' }]);
  });

  it('rolls back when the work throws after its statements went out', async () => {
    await clear();
    const error = await failureOf(async (s) => {
      await s.query('INSERT INTO pipelined VALUES (1, $1) RETURNING id', ['written']);
      s.defer('INSERT INTO pipelined VALUES (2, $1)', ['deferred']);
      throw new Error('the work gave up');
    });
    expect(String(error)).toMatch(/gave up/);
    expect(await ids()).toEqual([]);
  });

  // Nothing signals that a statement was not sent late: the connection is given time to show it.
  const quiet = () => new Promise((resolve) => setTimeout(resolve, 200));

  it('runs a statement behind the deferred writes, even when another is issued with it', async () => {
    await clear();
    const [, seen] = await db.sql.transaction((s) => {
      s.defer('INSERT INTO pipelined VALUES (1, $1)', ['deferred']);
      return Promise.all([
        s.query('INSERT INTO pipelined VALUES (2, $1) RETURNING id', ['a']),
        s.query<{ n: string }>('SELECT count(*) AS n FROM pipelined'),
      ]);
    });
    expect(seen).toEqual([{ n: '2' }]);
  });

  it('sends nothing of a failed transaction after its ROLLBACK', async () => {
    await clear();
    const error = await failureOf((s) =>
      Promise.all([
        s.query('INSERT INTO pipelined VALUES (1, $1) RETURNING id', [null]),
        s.query('SELECT 1'),
        s.query('INSERT INTO pipelined VALUES (9, $1) RETURNING id', ['third']),
      ]),
    );
    await quiet();
    expect((error as { code?: string }).code).toBe('23502');
    expect(await ids()).toEqual([]);
  });

  it('keeps only the attempt that committed when a deadlock makes it run again', async () => {
    await clear();
    let attempt = 0;
    await db.sql.transaction((s) => {
      attempt++;
      return Promise.all([
        attempt === 1
          ? s.query(`DO $$ BEGIN RAISE EXCEPTION 'deadlock' USING ERRCODE = '40P01'; END $$`)
          : s.query('SELECT 1'),
        s.query('SELECT 2'),
        s.query('INSERT INTO pipelined VALUES ($1, $2) RETURNING id', [attempt * 100, 'x']),
      ]);
    });
    await quiet();
    expect(attempt).toBe(2);
    expect(await ids()).toEqual([200]);
  });

  it('fails a transaction whose work swallowed the error of a statement, and keeps nothing', async () => {
    await clear();
    const error = await failureOf(async (s) => {
      await s.query('INSERT INTO pipelined VALUES (5, $1) RETURNING id', ['first']);
      await s.query('INSERT INTO pipelined VALUES (6, $1) RETURNING id', [null]).catch(() => {});
      return 'ok';
    });
    expect(String(error)).toMatch(/rolled back at its commit/);
    expect(await ids()).toEqual([]);
  });

  it('commits what went before a final statement even when the work fails after it', async () => {
    await clear();
    const error = await failureOf(async (s) => {
      s.defer('INSERT INTO pipelined VALUES (7, $1)', ['carried']);
      await s.query('SELECT 1', [], { carryDeferred: true, final: true });
      throw new Error('failed after the final read');
    });
    // The COMMIT followed the final statement at once, on both databases: the caller is told of
    // the failure, and the work must be safe to run again (the ballot batch's keys are).
    expect(String(error)).toMatch(/after the final read/);
    expect(await ids()).toEqual([7]);
  });

  it('fails the statement whose parameter cannot be sent, not the process', async () => {
    await clear();
    const error = await failureOf((s) =>
      Promise.all([
        s.query('INSERT INTO pipelined VALUES (1, $1) RETURNING id', ['first']),
        s.query('SELECT $1::timestamp AS at', [new Date(Number.NaN)]),
      ]),
    );
    expect(error).toBeInstanceOf(RangeError);
    expect(await ids()).toEqual([]);
  });
});
