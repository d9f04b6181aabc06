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
import { YishiError } from '../errors.ts';

/** `timestamp` (OID 1114) is read as UTC; every other type as `pg` reads it. */
const TIMESTAMP_OID = 1114;
const parseUtc = (text: string) => new Date(`${text.replace(' ', 'T')}Z`);

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === TIMESTAMP_OID) return parseUtc;
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
};

/** A parameter as `pg` sends it: dates as UTC ISO strings (see above); arrays may hold NULLs. */
export type SqlValue = string | number | boolean | null | Date | readonly (string | null)[];

const toParam = (v: SqlValue): unknown => (v instanceof Date ? v.toISOString() : v);

export type QueryOptions = {
  /**
   * A statement that must come before the deferred writes (such as an
   * idempotency claim) and reads nothing they write.
   */
  beforeDeferred?: boolean;
  /**
   * Planned anew at each run, as an unnamed statement. For a read that finds
   * rows of a table that grows by the minute by an array of keys: a named
   * statement keeps the generic plan made at its sixth run on its
   * connection, from the table's size then, until the next ANALYZE; made
   * while the table was nearly empty, that plan reads the whole table at
   * every run (a hash join over a sequential scan; the ballots' table was
   * read whole 1,350 times in 15 s of the ingest bench).
   */
  replan?: boolean;
  /**
   * The deferred writes travel in this statement, as CTEs in front of it,
   * rather than before it: for a read of nothing they write.
   */
  carryDeferred?: boolean;
  /**
   * The transaction's last statement: the COMMIT is issued right behind it
   * (in the same round trip when pipelining), and nothing may follow it. A
   * failure of the work after it does not undo it: the caller is told, and
   * must be safe to run the work again (an idempotent batch).
   */
  final?: boolean;
};

export type SqlSession = {
  /**
   * A read (or a write whose result is needed): deferred writes are flushed
   * first, unless `beforeDeferred` or `carryDeferred`. Statements issued
   * without awaiting the one before run in the order issued: sent together on
   * a pipelining connection, each after the one before otherwise.
   */
  query<R>(text: string, values?: readonly SqlValue[], options?: QueryOptions): Promise<R[]>;
  /**
   * A write whose row count is needed (INSERT ... ON CONFLICT DO NOTHING: 0
   * or 1); deferred writes ride along in the same statement.
   */
  execute(text: string, values?: readonly SqlValue[]): Promise<number>;
  /**
   * A write nobody reads back in this transaction (INSERT, or an UPDATE of a
   * row no other deferred write touches): sent with the next write, or before
   * the next read or the commit. Its error, if any, fails the transaction there.
   */
  defer(text: string, values?: readonly SqlValue[]): void;
  /** Sends the deferred writes now (the commit does this). */
  flush(): Promise<void>;
  /** Drops the deferred writes (the work they belong to is abandoned). */
  discard(): void;
};

/** A session as onConnection drives it: the commit is its own to send. */
type TransactionSession = SqlSession & {
  /** Sends the deferred writes and COMMIT (together when pipelining); resolves once committed. */
  commit(): Promise<void>;
  /**
   * Gives the transaction up: ROLLBACK behind what was sent, and whatever was
   * issued but not yet sent is refused rather than sent after it (where it
   * would commit on its own).
   */
  rollback(): Promise<unknown>;
  /** Ends the session: nothing issued and unsent goes out any more. */
  abandon(): void;
};

type Queryable = Pick<pg.PoolClient, 'query'>;

/**
 * Statements are named, so each connection parses and plans a statement
 * once and afterwards sends only its parameters: the actor's six-table join
 * was re-planned on every vote, and its text alone is 1 KB per round trip.
 * Names are per statement text (dynamic UPDATEs get one per column set).
 */
const statementNames = new Map<string, string>();
const nameOf = (text: string) => {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `yishi_${statementNames.size}`;
    statementNames.set(text, name);
  }
  return name;
};

type Statement = { text: string; values: readonly SqlValue[] };

const shift = (text: string, offset: number) =>
  offset === 0 ? text : text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);

/**
 * One statement carrying the deferred writes as data-modifying CTEs before
 * `main`: PostgreSQL runs each exactly once, whether or not `main` reads it.
 * A round trip costs far more here (a syscall each way on a shared 2-core
 * machine) than the statement itself, so a vote's four writes travel as one.
 */
function withDeferred(pending: readonly Statement[], main: Statement): Statement {
  const values: SqlValue[] = [];
  const ctes = pending.map((s, i) => {
    const text = `w${i} AS (${shift(s.text, values.length)})`;
    values.push(...s.values);
    return text;
  });
  const text = `WITH ${ctes.join(', ')} ${shift(main.text, values.length)}`;
  values.push(...main.values);
  return { text, values };
}

/**
 * `named: false` for PGlite: its one backend session is shared by every socket
 * connection, so a name prepared by one connection (or a process's earlier
 * connection) collides with the next one's ("prepared statement already exists").
 *
 * `pipelined`: the client sends a statement without waiting for the one before
 * (`pg`'s `pipeline` mode), so COMMIT goes out behind the last statement in one
 * round trip. Each statement still has its own Sync: one that fails aborts the
 * transaction, and the COMMIT behind it then rolls back (PostgreSQL answers
 * COMMIT in a failed transaction with ROLLBACK), so nothing of it is kept.
 */
function transactionSession(
  client: Queryable,
  options: { named?: boolean; pipelined?: boolean } = {},
): TransactionSession {
  const named = options.named ?? true;
  const pipelined = options.pipelined ?? false;
  /** The transaction is over (committing, or given up): nothing more may be issued. */
  let ended = false;
  /** Given up: what was issued but not yet sent is refused, never sent after the ROLLBACK. */
  let closed = false;
  /** Without pipelining, a statement issued before the last one is answered waits for it here. */
  let last: Promise<unknown> = Promise.resolve();
  const enqueue = <T>(sendNow: () => Promise<T>): Promise<T> => {
    if (pipelined) return sendNow();
    const sent = last.then(sendNow, sendNow);
    last = sent.catch(() => {});
    return sent;
  };
  const run = ({ text, values }: Statement, replan = false) =>
    enqueue(() => {
      if (closed)
        return Promise.reject(new Error('the transaction was given up: statement not sent'));
      try {
        return client.query({
          ...(named && !replan ? { name: nameOf(text) } : {}),
          text,
          values: values.map(toParam),
          types,
        });
      } catch (error) {
        // A parameter that cannot be sent (an invalid date): this statement's failure, not a throw.
        return Promise.reject(error);
      }
    });
  const refuseAfterEnd = () => {
    if (ended) throw new Error('a statement after the transaction ended (after its final one)');
  };
  let pending: Statement[] = [];
  const abandon = () => {
    ended = true;
    closed = true;
    pending = [];
  };
  /** The COMMIT, sent behind the final statement or by commit(). */
  let committing: Promise<void> | undefined;

  const takePending = (): Statement | undefined => {
    if (pending.length === 0) return undefined;
    const batch = pending;
    pending = [];
    const [only] = batch;
    return batch.length === 1 && only
      ? only
      : withDeferred(batch, { text: 'SELECT 1', values: [] });
  };
  /** `statement` issued now, behind the deferred `writes` if any; their failure is the one reported. */
  const behind = async (writes: Statement | undefined, statement: Statement, replan = false) => {
    const wrote = writes ? run(writes) : undefined;
    const result = run(statement, replan);
    if (wrote) {
      result.catch(() => {});
      await wrote;
    }
    return result;
  };
  /**
   * The deferred writes and COMMIT, issued together. PostgreSQL answers COMMIT
   * in a failed transaction with ROLLBACK, not an error: that is a failure too
   * (a statement failed and the work went on).
   */
  const writeAndCommit = (writes: Statement | undefined): Promise<void> => {
    const wrote = writes ? run(writes) : undefined;
    const commit = enqueue(() => client.query('COMMIT'));
    const done = Promise.allSettled([wrote, commit]).then(([w, c]) => {
      if (w.status === 'rejected') throw w.reason;
      if (c.status === 'rejected') throw c.reason;
      if (c.value.command === 'ROLLBACK') {
        throw new Error('the transaction was rolled back at its commit: a statement in it failed');
      }
    });
    // Awaited by commit(); a statement failing first must not leave it unhandled.
    done.catch(() => {});
    return done;
  };

  return {
    async query<R>(text: string, values: readonly SqlValue[] = [], options: QueryOptions = {}) {
      refuseAfterEnd();
      let statement: Statement = { text, values };
      let writes: Statement | undefined;
      // A statement does not see the writes of its own CTEs: other reads go after the writes,
      // and a statement with its own WITH cannot take them in front of it.
      if (options.carryDeferred && pending.length > 0 && !/^\s*WITH\b/i.test(text)) {
        statement = withDeferred(pending, statement);
        pending = [];
      } else if (!options.beforeDeferred) writes = takePending();
      // Issued now, before this function first waits: statements issued one after another
      // without awaiting run in that order (together when pipelining).
      const result = behind(writes, statement, options.replan);
      if (options.final) {
        ended = true;
        committing = writeAndCommit(takePending());
      }
      return (await result).rows as R[];
    },
    async execute(text: string, values: readonly SqlValue[] = []) {
      refuseAfterEnd();
      const main = { text, values };
      // A statement with its own WITH cannot take the deferred writes in front of it.
      if (/^\s*WITH\b/i.test(text)) return (await behind(takePending(), main)).rowCount ?? 0;
      const batch = pending;
      pending = [];
      return (await run(batch.length > 0 ? withDeferred(batch, main) : main)).rowCount ?? 0;
    },
    defer(text: string, values: readonly SqlValue[] = []) {
      refuseAfterEnd();
      pending.push({ text, values });
    },
    async flush() {
      const writes = takePending();
      if (writes) await run(writes);
    },
    discard() {
      pending = [];
    },
    async commit() {
      if (!committing) {
        ended = true;
        committing = writeAndCommit(takePending());
      }
      await committing;
    },
    rollback() {
      abandon();
      // Behind whatever was sent; what was issued and not sent is refused above.
      return enqueue(() => client.query('ROLLBACK'));
    },
    abandon,
  };
}

/** PostgreSQL deadlock or serialization failure: the whole transaction may run again. */
function retryable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === '40P01' || code === '40001';
}

const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);

/** The connection failed, as opposed to PostgreSQL answering with an error. */
function connectionFailure(error: unknown): boolean {
  if (error instanceof pg.DatabaseError) return /^(57P0[1-3]|08)/.test(error.code ?? '');
  const { code, message } = error as { code?: unknown; message?: unknown };
  return (
    (typeof code === 'string' && SOCKET_CODES.has(code)) ||
    (typeof message === 'string' &&
      /connection terminated|not queryable|timeout exceeded when trying to connect/i.test(message))
  );
}

/**
 * The one error a lost or refused database connection becomes, so that callers
 * and the logs can tell an outage from a bug (`code` database_unreachable).
 */
function unreachable(cause: unknown): YishiError {
  if (cause instanceof YishiError) return cause;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new YishiError('database_unreachable', `database unreachable: ${reason}`, { cause });
}

/**
 * 57014: a statement ran past `statement_timeout`; 25P03: the transaction sat
 * idle past `idle_in_transaction_session_timeout` and its connection was ended.
 * Infrastructure, not a bug: the webhook answers 5xx and the job is retried.
 */
const TIMEOUT_CODES = new Set(['57014', '25P03']);

/** What a failed transaction becomes for its caller: a `YishiError` for outages and timeouts. */
export function infrastructureError(error: unknown, lost?: Error): unknown {
  for (const candidate of [lost, error]) {
    const code = (candidate as { code?: unknown } | undefined)?.code;
    if (typeof code === 'string' && TIMEOUT_CODES.has(code)) {
      const reason = candidate instanceof Error ? candidate.message : code;
      return new YishiError('database_timeout', `database ended the transaction: ${reason}`, {
        cause: candidate,
      });
    }
  }
  if (lost !== undefined || connectionFailure(error)) return unreachable(error);
  return error;
}

/**
 * Runs `work` on a pooled connection, in one transaction or (`autocommit`)
 * each statement on its own; a transaction that lost a deadlock or
 * serialization race runs again (up to 5 times). Outages and timeouts reach
 * the caller as `YishiError` (infrastructureError); a connection that failed
 * is discarded rather than given back to the pool.
 */
export async function onConnection<T>(
  pool: pg.Pool,
  work: (session: SqlSession) => Promise<T>,
  options: { named?: boolean; autocommit?: boolean } = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect().catch((error: unknown) => {
      throw unreachable(error);
    });
    // The pool listens for errors only on idle clients: a connection lost while checked out
    // (PostgreSQL stopped mid-statement) emits 'error' with no listener, which ends the process.
    let lost: Error | undefined;
    const onLost = (error: Error) => {
      lost = error;
    };
    client.on('error', onLost);
    // Discarded unless PostgreSQL itself answered every statement (a SQLSTATE error is an answer).
    let broken = true;
    let session: TransactionSession | undefined;
    try {
      if (options.autocommit) {
        session = transactionSession(client, { named: options.named });
        const result = await work(session);
        await session.flush();
        broken = false;
        return result;
      }
      // Pipelining, BEGIN goes out with the work's first statement rather than on its own.
      const pipelined = client.pipeline;
      const begun = client.query('BEGIN');
      if (pipelined) begun.catch(() => {});
      else await begun;
      session = transactionSession(client, { named: options.named, pipelined });
      const result = await work(session);
      await session.commit();
      await begun;
      broken = false;
      return result;
    } catch (error) {
      if (options.autocommit) broken = !(error instanceof pg.DatabaseError) || lost !== undefined;
      // On a lost connection the ROLLBACK fails too: the work's own error is the one to report.
      else if (
        await (session ? session.rollback() : client.query('ROLLBACK')).then(
          () => true,
          () => false,
        )
      )
        broken = false;
      const failure = infrastructureError(error, lost);
      if (failure !== error || !retryable(error) || attempt >= 5 || options.autocommit)
        throw failure;
    } finally {
      // Whatever the work issued and is still unsent must not reach the connection's next user.
      session?.abandon();
      client.removeListener('error', onLost);
      client.release(broken);
    }
  }
}
