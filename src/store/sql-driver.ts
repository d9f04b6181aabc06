/**
 * The one interface every store is written against: a transaction that runs
 * statements with parameters, and a single statement on its own. Both
 * databases are reached through `pg` (PostgreSQL directly, PGlite through the
 * local socket it is served on, embedded-host.ts), so both return the same
 * JavaScript types: `bigint` columns as strings, `jsonb` parsed, `timestamp`
 * as UTC dates, arrays as arrays.
 */
import type pg from 'pg';
import { onConnection, type SqlSession, type SqlValue } from './sql-session.ts';

export type SqlDriver = {
  /**
   * Runs `work` in one transaction; retried whole (up to 5 times) on a lost
   * deadlock or serialization race. A lost connection, or one the database
   * ended (idle in transaction, statement timeout), rejects with a
   * `YishiError` (`database_unreachable` / `database_timeout`).
   */
  transaction<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
  /** One statement outside any transaction (it commits on its own). */
  query<R>(text: string, values?: readonly SqlValue[]): Promise<R[]>;
  /** One write on its own; resolves to the rows it changed. */
  execute(text: string, values?: readonly SqlValue[]): Promise<number>;
};

/** `named`: prepare each statement once per connection (PostgreSQL); see sqlSession. */
export function poolDriver(pool: pg.Pool, options: { named: boolean }): SqlDriver {
  const single = { ...options, autocommit: true };
  // A statement on its own still checks a connection out (not pool.query): a connection lost
  // while in use must reach the caller as database_unreachable, not the process as an 'error'.
  return {
    transaction: (work) => onConnection(pool, work, options),
    query: <R>(text: string, values?: readonly SqlValue[]) =>
      onConnection(pool, (session) => session.query<R>(text, values), single),
    execute: (text, values) =>
      onConnection(pool, (session) => session.execute(text, values), single),
  };
}
