/**
 * No transaction holds rows forever: one left idle past the bound, or a
 * statement stuck past it, is ended by the database, and the caller gets the
 * infrastructure error (database_timeout) that webhooks answer with a 5xx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { YishiError } from '../../../src/errors.ts';
import { type Database, openDatabase } from '../../../src/store/database.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';

describe('transaction timeouts', () => {
  let test: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    test = await createTestDatabase();
    db = await openDatabase(
      { kind: 'postgres', url: test.url },
      { timeouts: { statementMs: 300, idleInTransactionMs: 300 } },
    );
  });
  afterAll(async () => {
    await db?.close();
    await test?.drop();
  });

  it('ends a transaction left idle past the bound', async () => {
    const held = db.sql.transaction(async (s) => {
      await s.query('SELECT 1');
      // Idle, as a transaction waiting on something outside the database would be.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      return s.query('SELECT 1');
    });
    const error = await held.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(YishiError);
    expect((error as YishiError).code).toMatch(/^database_(timeout|unreachable)$/);
    // The pool recovers: the next transaction runs.
    expect(await db.sql.transaction((s) => s.query<{ one: number }>('SELECT 1 AS one'))).toEqual([
      { one: 1 },
    ]);
  });

  it('cancels a statement stuck past the bound', async () => {
    const error = await db.sql
      .transaction((s) => s.query('SELECT pg_sleep(2)'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(YishiError);
    expect((error as YishiError).code).toBe('database_timeout');
  });
});
