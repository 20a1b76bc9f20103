import {
  BatchItemError,
  DRIVER_CONTRACT_VERSION,
  Driver,
  type DriverPlugin,
  type Row,
  type StatementResult,
} from "@sqlblocks/core/driver";
import type { PoolConnection, ResultSetHeader } from "mysql2";
import type { QueryRunner } from "@sqlblocks/core/driver";
import { openMysqlCursor } from "./cursor.js";
import { classifyMysqlError } from "./errors.js";
import { createDataSourceOptions } from "./options.js";
import { toMysqlValues } from "./values.js";

/** A prepared statement counts its parameters in an unsigned 16-bit field. */
const MAX_BIND_PARAMETERS = 65_535;

async function connectionOf(session: QueryRunner): Promise<PoolConnection> {
  return (await session.connect()) as PoolConnection;
}

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
 * The MySQL and MariaDB driver: TypeORM + mysql2.
 *
 * Statements run on mysql2's own pool connection over the text protocol; cursors stream
 * rows with back-pressure; `executeRepeated` reuses one server-side prepared statement.
 */
const mysqlPlugin: DriverPlugin = {
  contractVersion: DRIVER_CONTRACT_VERSION,
  packageName: "@sqlblocks/driver-mysql",
  drivers: [Driver.MYSQL_MYSQL2, Driver.MARIADB_MYSQL2],
  placeholderStyle: "question",
  backslashEscapes: true,
  hashComments: true,
  maxBindParameters: MAX_BIND_PARAMETERS,
  pingSql: "SELECT 1",

  createDataSourceOptions,

  async query(session, sql, values) {
    return run(await connectionOf(session), sql, values);
  },

  async openCursor(session, sql, values) {
    return openMysqlCursor(await connectionOf(session), sql, values.length > 0 ? toMysqlValues(values) : undefined);
  },

  async executeRepeated(session, sql, valuesList) {
    const connection = await connectionOf(session);
    let total = 0;
    for (let index = 0; index < valuesList.length; index++) {
      try {
        total += await execute(connection, sql, valuesList[index]!);
      } catch (error) {
        throw new BatchItemError(index, error);
      }
    }
    return total;
  },

  classifyError: classifyMysqlError,
};

export default mysqlPlugin;
