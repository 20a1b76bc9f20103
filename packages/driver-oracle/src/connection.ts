import { BatchItemError, type DriverConnection, type DriverCursor, type IsolationLevel, type StatementResult } from "@sqlblocks/core/driver";
import oracledb from "oracledb";
import { bindsAreUniform, toOracleBinds } from "./binds.js";
import { ResultSetCursor } from "./cursor.js";
import { RowShaper } from "./rows.js";
import { oracleStatement, statementKind } from "./statements.js";

function isConnection(value: unknown): value is oracledb.Connection {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Partial<oracledb.Connection>).execute === "function" &&
    typeof (value as Partial<oracledb.Connection>).executeMany === "function"
  );
}

/**
 * One oracledb connection from the pool TypeORM's OracleDriver holds. Oracle starts a
 * transaction implicitly: outside `begin`/`commit` every statement commits on its own
 * (`autoCommit`), inside nothing commits until `commit`.
 */
export class OracleConnection implements DriverConnection {
  #inTransaction = false;

  constructor(readonly native: oracledb.Connection) {}

  query(sql: string, values: readonly unknown[]): Promise<StatementResult> {
    return this.#runOne(oracleStatement(sql), values);
  }

  async openCursor(sql: string, values: readonly unknown[]): Promise<DriverCursor> {
    const result = await this.native.execute<unknown[]>(oracleStatement(sql), toOracleBinds(values), {
      ...this.#options(),
      resultSet: true,
    });
    if (result.resultSet) return new ResultSetCursor(result.resultSet);
    // Not a query: it has run; there is nothing to page through.
    return { read: async () => [], close: async () => {} };
  }

  /** DML with uniform binds is one `executeMany` round trip, with batch errors naming the failing set. */
  async executeRepeated(sql: string, valuesList: readonly (readonly unknown[])[]): Promise<number> {
    const kind = statementKind(sql);
    const statement = oracleStatement(sql, kind);
    const sets = valuesList.map(toOracleBinds);
    // executeMany takes DML only, and one type per bind position; anything else runs set by set.
    if (kind !== "other" || !bindsAreUniform(sets)) {
      let total = 0;
      for (let index = 0; index < sets.length; index++) {
        try {
          total += (await this.#runOne(statement, sets[index]!)).rowCount;
        } catch (error) {
          throw new BatchItemError(index, error);
        }
      }
      return total;
    }
    const options: oracledb.ExecuteManyOptions = { autoCommit: !this.#inTransaction, batchErrors: true };
    const result =
      (sets[0]?.length ?? 0) === 0
        ? await this.native.executeMany(statement, sets.length, options)
        : await this.native.executeMany(statement, sets, options);
    const failed = result.batchErrors?.[0];
    if (failed) throw typeof failed.offset === "number" ? new BatchItemError(failed.offset, failed) : failed;
    return result.rowsAffected ?? 0;
  }

  async begin(isolationLevel?: IsolationLevel): Promise<void> {
    this.#inTransaction = true;
    if (isolationLevel) await this.native.execute(`SET TRANSACTION ISOLATION LEVEL ${isolationLevel}`);
  }

  async commit(): Promise<void> {
    try {
      await this.native.commit();
    } finally {
      this.#inTransaction = false;
    }
  }

  async rollback(): Promise<void> {
    try {
      await this.native.rollback();
    } finally {
      this.#inTransaction = false;
    }
  }

  /** Closes the connection into the pool, or drops it from the pool when broken. */
  async release(broken: boolean): Promise<void> {
    await this.native.close({ drop: broken });
  }

  /** Commit each statement on its own only outside a transaction. */
  #options(): oracledb.ExecuteOptions {
    return { outFormat: oracledb.OUT_FORMAT_ARRAY, autoCommit: !this.#inTransaction };
  }

  async #runOne(sql: string, values: readonly unknown[]): Promise<StatementResult> {
    const result = await this.native.execute<unknown[]>(sql, toOracleBinds(values), this.#options());
    if (result.rows) {
      const rows = new RowShaper(result.metaData).shape(result.rows);
      return { rows, rowCount: rows.length };
    }
    return { rows: [], rowCount: result.rowsAffected ?? 0 };
  }
}

/** Takes a connection from the oracledb pool of an initialized OracleDriver (its public `master` field). */
export async function connectOracle(pool: unknown): Promise<OracleConnection> {
  if (typeof pool !== "object" || pool === null || typeof (pool as Partial<oracledb.Pool>).getConnection !== "function") {
    throw new Error("the TypeORM data source is not connected to Oracle through an oracledb pool");
  }
  const connection: unknown = await (pool as oracledb.Pool).getConnection();
  if (!isConnection(connection)) throw new Error("the oracledb pool did not hand out an oracledb connection");
  return new OracleConnection(connection);
}
