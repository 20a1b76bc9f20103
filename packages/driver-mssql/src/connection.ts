import type { DriverConnection, DriverCursor, IsolationLevel, Row, StatementResult } from "@sqlblocks/core/driver";
import mssql from "mssql";
import { StreamingCursor } from "./cursor.js";
import { bindValues } from "./values.js";

const ISOLATION: Record<IsolationLevel, mssql.IIsolationLevel> = {
  "READ UNCOMMITTED": mssql.ISOLATION_LEVEL.READ_UNCOMMITTED,
  "READ COMMITTED": mssql.ISOLATION_LEVEL.READ_COMMITTED,
  "REPEATABLE READ": mssql.ISOLATION_LEVEL.REPEATABLE_READ,
  SERIALIZABLE: mssql.ISOLATION_LEVEL.SERIALIZABLE,
};

function sum(numbers: readonly number[] | undefined): number {
  let total = 0;
  for (const n of numbers ?? []) total += n;
  return total;
}

/**
 * The rows of the first result set (SELECT, or the OUTPUT clause of INSERT/UPDATE/DELETE/
 * MERGE), and the rows affected or returned by every statement of the batch.
 */
function toStatementResult(result: mssql.IResult<Row>): StatementResult {
  const rows: Row[] = result.recordsets.length > 0 ? [...(result.recordsets[0] ?? [])] : [];
  const affected = sum(result.rowsAffected);
  return { rows, rowCount: affected === 0 && rows.length > 0 ? rows.length : affected };
}

/**
 * A SQL Server connection for core, over the mssql pool TypeORM's SqlServerDriver holds.
 *
 * mssql lends a pooled connection per request, so outside a transaction each statement
 * runs on the pool (SQL Server autocommits it). `begin` opens an mssql Transaction, which
 * holds one connection until commit or rollback; statements then run on it, one at a time
 * (a Transaction refuses a second request while one runs: EREQINPROG).
 */
export class MssqlConnection implements DriverConnection {
  #transaction: mssql.Transaction | undefined;
  #released = false;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(readonly native: mssql.ConnectionPool) {}

  /** A request on the open transaction, else on the pool. */
  request(): mssql.Request {
    if (this.#released) throw new Error("the SQL Server connection was already released");
    return this.#transaction ? new mssql.Request(this.#transaction) : new mssql.Request(this.native);
  }

  query(sql: string, values: readonly unknown[]): Promise<StatementResult> {
    return this.#serialized(async () => {
      const request = this.request();
      bindValues(request, values);
      return toStatementResult(await request.query<Row>(sql));
    });
  }

  async openCursor(sql: string, values: readonly unknown[]): Promise<DriverCursor> {
    const request = this.request();
    bindValues(request, values);
    return new StreamingCursor(request, sql);
  }

  async begin(isolationLevel?: IsolationLevel): Promise<void> {
    const transaction = new mssql.Transaction(this.native);
    await transaction.begin(isolationLevel ? ISOLATION[isolationLevel] : undefined);
    this.#transaction = transaction;
  }

  async commit(): Promise<void> {
    const transaction = this.#transaction;
    this.#transaction = undefined;
    await this.#serialized(async () => transaction?.commit());
  }

  async rollback(): Promise<void> {
    const transaction = this.#transaction;
    this.#transaction = undefined;
    await this.#serialized(async () => transaction?.rollback());
  }

  async release(): Promise<void> {
    this.#released = true;
    // A transaction left open gives its connection back to the pool only once it ends.
    const transaction = this.#transaction;
    this.#transaction = undefined;
    await transaction?.rollback().catch(() => undefined);
  }

  /** Runs `fn` after every earlier call on this connection has settled. */
  #serialized<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(fn, fn);
    this.#queue = next.catch(() => undefined);
    return next;
  }
}

/** The mssql ConnectionPool of an initialized SqlServerDriver (its public `master` field). */
export function connectMssql(pool: unknown): MssqlConnection {
  if (!(pool instanceof mssql.ConnectionPool)) {
    throw new Error("the TypeORM data source is not connected to SQL Server through this mssql module");
  }
  return new MssqlConnection(pool);
}
