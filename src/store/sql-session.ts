/**
 * Plain `pg` sessions for the hot paths. Prisma's interactive transactions
 * cost about 0.5 ms of CPU per statement here (a transaction of 6 statements:
 * 3.9 ms through Prisma, 0.6 ms through `pg`), which capped a vote at ~70/s;
 * the stores on these paths speak SQL to the pool Prisma itself uses.
 *
 * Columns are `timestamp(3)` without time zone holding UTC (Prisma's
 * convention): dates go in as ISO strings and come back parsed as UTC,
 * whatever the process's time zone.
 */
import pg from 'pg';

/** `timestamp` (OID 1114) is read as UTC; every other type as `pg` reads it. */
const TIMESTAMP_OID = 1114;
const parseUtc = (text: string) => new Date(`${text.replace(' ', 'T')}Z`);

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === TIMESTAMP_OID) return parseUtc;
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
};

/** A parameter as `pg` sends it: dates as UTC ISO strings (see above). */
export type SqlValue = string | number | boolean | null | Date | readonly string[];

const toParam = (v: SqlValue): unknown => (v instanceof Date ? v.toISOString() : v);

export type SqlSession = {
  query<R>(text: string, values?: readonly SqlValue[]): Promise<R[]>;
  /** Rows affected (INSERT ... ON CONFLICT DO NOTHING: 0 or 1). */
  execute(text: string, values?: readonly SqlValue[]): Promise<number>;
};

type Queryable = Pick<pg.PoolClient, 'query'>;

export function sqlSession(client: Queryable): SqlSession {
  const run = (text: string, values: readonly SqlValue[] = []) =>
    client.query({ text, values: values.map(toParam), types });
  return {
    async query<R>(text: string, values?: readonly SqlValue[]) {
      return (await run(text, values)).rows as R[];
    },
    async execute(text: string, values?: readonly SqlValue[]) {
      return (await run(text, values)).rowCount ?? 0;
    },
  };
}

/** PostgreSQL deadlock or serialization failure: the whole transaction may run again. */
function retryable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === '40P01' || code === '40001';
}

/**
 * Runs `work` in one transaction on a pooled connection; retries it (up to 5
 * times) when it lost a deadlock or serialization race. A connection that
 * failed mid-transaction is discarded rather than given back to the pool.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (session: SqlSession) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    // Discarded unless PostgreSQL itself answered every statement (a SQLSTATE error is an answer).
    let broken = true;
    try {
      await client.query('BEGIN');
      let result: T;
      try {
        result = await work(sqlSession(client));
      } catch (error) {
        await client.query('ROLLBACK');
        broken = false;
        throw error;
      }
      await client.query('COMMIT');
      broken = false;
      return result;
    } catch (error) {
      if (!retryable(error) || attempt >= 5) throw error;
    } finally {
      client.release(broken);
    }
  }
}
