import {
  BatchItemError,
  DRIVER_CONTRACT_VERSION,
  Driver,
  type DriverCursor,
  type DriverPlugin,
  type StatementResult,
} from "@sqlblocks/core/driver";
import oracledb from "oracledb";
import type { QueryRunner } from "@sqlblocks/core/driver";
import { bindsAreUniform, toOracleBinds } from "./binds.js";
import { ResultSetCursor } from "./cursor.js";
import { classifyOracleError } from "./errors.js";
import { createDataSourceOptions } from "./options.js";
import { RowShaper } from "./rows.js";
import { oracleStatement, statementKind } from "./statements.js";

/** Oracle's limit on bind variables in one statement. */
export const MAX_BIND_PARAMETERS = 65535;

function isConnection(value: unknown): value is oracledb.Connection {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Partial<oracledb.Connection>).execute === "function" &&
    typeof (value as Partial<oracledb.Connection>).executeMany === "function"
  );
}

/** The oracledb connection TypeORM's OracleQueryRunner holds for the session. */
async function connectionOf(session: QueryRunner): Promise<oracledb.Connection> {
  const connection: unknown = await session.connect();
  if (!isConnection(connection)) throw new Error("the TypeORM session did not hand out an oracledb connection");
  return connection;
}

/** Commit each statement on its own only when core has not started a transaction on the session. */
function executeOptions(session: QueryRunner): oracledb.ExecuteOptions {
  return { outFormat: oracledb.OUT_FORMAT_ARRAY, autoCommit: !session.isTransactionActive };
}

async function runOne(connection: oracledb.Connection, session: QueryRunner, sql: string, values: readonly unknown[]): Promise<StatementResult> {
  const result = await connection.execute<unknown[]>(sql, toOracleBinds(values), executeOptions(session));
  if (result.rows) {
    const rows = new RowShaper(result.metaData).shape(result.rows);
    return { rows, rowCount: rows.length };
  }
  return { rows: [], rowCount: result.rowsAffected ?? 0 };
}

/**
 * The Oracle driver: TypeORM + node-oracledb in thin mode (no Oracle Client libraries).
 *
 * Statements run on the session's connection with numbered binds (`:1`, `:2`);
 * cursors are ResultSets; `executeMany` of DML uses `connection.executeMany` (one round
 * trip, with batch errors naming the failing set).
 */
const oraclePlugin: DriverPlugin = {
  contractVersion: DRIVER_CONTRACT_VERSION,
  packageName: "@sqlblocks/driver-oracle",
  drivers: [Driver.ORACLE_ORACLEDB],
  placeholderStyle: "colon-number",
  maxBindParameters: MAX_BIND_PARAMETERS,
  // Multi-row `INSERT … VALUES (…), (…)` is not Oracle syntax before 23ai: plain INSERTs go
  // through executeRepeated, i.e. one connection.executeMany round trip.
  multiRowInsert: false,
  pingSql: "SELECT 1 FROM DUAL",

  createDataSourceOptions,

  async query(session, sql, values) {
    return runOne(await connectionOf(session), session, oracleStatement(sql), values);
  },

  async openCursor(session, sql, values): Promise<DriverCursor> {
    const connection = await connectionOf(session);
    const result = await connection.execute<unknown[]>(oracleStatement(sql), toOracleBinds(values), {
      ...executeOptions(session),
      resultSet: true,
    });
    if (result.resultSet) return new ResultSetCursor(result.resultSet);
    // Not a query: it has run; there is nothing to page through.
    return { read: async () => [], close: async () => {} };
  },

  async executeRepeated(session, sql, valuesList) {
    const connection = await connectionOf(session);
    const kind = statementKind(sql);
    const statement = oracleStatement(sql, kind);
    const sets = valuesList.map(toOracleBinds);
    // executeMany takes DML only, and one type per bind position; anything else runs set by set.
    if (kind !== "other" || !bindsAreUniform(sets)) {
      let total = 0;
      for (let index = 0; index < sets.length; index++) {
        try {
          total += (await runOne(connection, session, statement, sets[index]!)).rowCount;
        } catch (error) {
          throw new BatchItemError(index, error);
        }
      }
      return total;
    }
    const options: oracledb.ExecuteManyOptions = { autoCommit: !session.isTransactionActive, batchErrors: true };
    const result =
      (sets[0]?.length ?? 0) === 0
        ? await connection.executeMany(statement, sets.length, options)
        : await connection.executeMany(statement, sets, options);
    const failed = result.batchErrors?.[0];
    if (failed) throw typeof failed.offset === "number" ? new BatchItemError(failed.offset, failed) : failed;
    return result.rowsAffected ?? 0;
  },

  classifyError: classifyOracleError,
};

export default oraclePlugin;
