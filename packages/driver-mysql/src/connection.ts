import {
  BatchItemError,
  type DriverConnection,
  type DriverCursor,
  type IsolationLevel,
  type Row,
  type StatementResult,
} from "@sqlblocks/core/driver";
import type { Pool, PoolConnection, ResultSetHeader } from "mysql2";
import { openMysqlCursor } from "./cursor.js";
import { toMysqlValues } from "./values.js";

function isResultSetHeader(result: unknown): result is ResultSetHeader {
  return typeof result === "object" && result !== null && !Array.isArray(result) && "affectedRows" in result;
}

/**
 * Runs a statement over the text protocol: one round trip. mysql2 inlines the values
 * client-side, escaping them, and skips `?` inside string literals, quoted identifiers
 * and comments.
 */
function run(connection: PoolConnection, sql: string, values: readonly unknown[]): Promise<StatementResult> {
  return new Promise((resolve, reject) => {
    const options = values.length > 0 ? { sql, values: toMysqlValues(values) } : { sql };
    connection.query(options, (error: unknown, result: unknown) => {
      if (error) return reject(error);
      if (isResultSetHeader(result)) return resolve({ rows: [], rowCount: result.affectedRows });
      const rows = Array.isArray(result) ? (result as Row[]) : [];
      resolve({ rows, rowCount: rows.length });
    });
  });
}

/** Runs a server-side prepared statement; mysql2 prepares each SQL text once per connection. */
function execute(connection: PoolConnection, sql: string, values: readonly unknown[]): Promise<number> {
  return new Promise((resolve, reject) => {
    connection.execute({ sql, values: toMysqlValues(values) }, (error: unknown, result: unknown) => {
      if (error) return reject(error);
      resolve(isResultSetHeader(result) ? result.affectedRows : Array.isArray(result) ? result.length : 0);
    });
  });
}

/**
 * One mysql2 pool connection. While leased it listens for the connection's `error` event
 * (an unheard one would crash the process); a connection that reported one, or that core
 * releases as broken, is destroyed instead of pooled.
 */
export class MysqlConnection implements DriverConnection {
  #lost: unknown;
  readonly #onError = (error: unknown): void => {
    this.#lost ??= error;
  };

  constructor(readonly native: PoolConnection) {
    native.on("error", this.#onError);
  }

  query(sql: string, values: readonly unknown[]): Promise<StatementResult> {
    return run(this.native, sql, values);
  }

  async openCursor(sql: string, values: readonly unknown[]): Promise<DriverCursor> {
    return openMysqlCursor(this.native, sql, values.length > 0 ? toMysqlValues(values) : undefined);
  }

  /** Reuses one server-side prepared statement for every parameter set. */
  async executeRepeated(sql: string, valuesList: readonly (readonly unknown[])[]): Promise<number> {
    let total = 0;
    for (let index = 0; index < valuesList.length; index++) {
      try {
        total += await execute(this.native, sql, valuesList[index]!);
      } catch (error) {
        throw new BatchItemError(index, error);
      }
    }
    return total;
  }

  async begin(isolationLevel?: IsolationLevel): Promise<void> {
    // SET TRANSACTION applies to the next transaction only.
    if (isolationLevel) await run(this.native, `SET TRANSACTION ISOLATION LEVEL ${isolationLevel}`, []);
    await run(this.native, "START TRANSACTION", []);
  }

  async commit(): Promise<void> {
    await run(this.native, "COMMIT", []);
  }

  async rollback(): Promise<void> {
    await run(this.native, "ROLLBACK", []);
  }

  async release(broken: boolean): Promise<void> {
    this.native.removeListener("error", this.#onError);
    if (broken || this.#lost !== undefined) this.native.destroy();
    else this.native.release();
  }
}

/** Takes a connection from the mysql2 pool TypeORM's MysqlDriver holds in its public `pool` field. */
export function connectMysql(pool: Pool): Promise<MysqlConnection> {
  return new Promise((resolve, reject) => {
    pool.getConnection((error, connection) => (error ? reject(error) : resolve(new MysqlConnection(connection))));
  });
}
