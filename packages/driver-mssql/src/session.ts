import mssql from "mssql";
import type { QueryRunner } from "@sqlblocks/core/driver";

/** What TypeORM's SqlServerQueryRunner holds, seen from outside (the fields are protected there). */
interface SqlServerSession {
  readonly isReleased: boolean;
  readonly isTransactionActive: boolean;
  /** The mssql Transaction while one is active, `null` or `undefined` otherwise. */
  readonly databaseConnection?: unknown;
  readonly driver: { obtainMasterConnection?: () => Promise<unknown> };
}

const queues = new WeakMap<QueryRunner, Promise<unknown>>();

/**
 * A request for this session: on the session's mssql Transaction while one
 * is active (TypeORM keeps it in `databaseConnection`), else the pool, which lends a
 * connection per request. Outside a transaction SQL Server autocommits each statement.
 */
export async function createRequest(session: QueryRunner): Promise<mssql.Request> {
  const runner = session as unknown as SqlServerSession;
  if (runner.isReleased) throw new Error("the SQL Server session was already released");
  if (runner.isTransactionActive) {
    const transaction = runner.databaseConnection;
    if (!(transaction instanceof mssql.Transaction)) {
      throw new Error("the SQL Server session says a transaction is active but holds no mssql Transaction");
    }
    return new mssql.Request(transaction);
  }
  const pool = await runner.driver.obtainMasterConnection?.();
  if (!(pool instanceof mssql.ConnectionPool)) {
    throw new Error("the TypeORM data source is not connected to SQL Server through this mssql module");
  }
  return new mssql.Request(pool);
}

/**
 * Runs `fn` after every earlier call for the same session has settled. An mssql
 * Transaction refuses a second request while one is running (EREQINPROG), so statements
 * on one session go one at a time, as they would on a single connection.
 */
export function serialized<T>(session: QueryRunner, fn: () => Promise<T>): Promise<T> {
  const previous = queues.get(session) ?? Promise.resolve();
  const next = previous.then(fn, fn);
  queues.set(
    session,
    next.catch(() => undefined),
  );
  return next;
}
