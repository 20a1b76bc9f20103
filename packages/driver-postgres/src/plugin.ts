import { createHash } from "node:crypto";
import {
  BatchItemError,
  DRIVER_CONTRACT_VERSION,
  Driver,
  type DriverPlugin,
  type Row,
  type StatementResult,
} from "@sqlblocks/core/driver";
import type { PoolClient, QueryResult } from "pg";
import type { QueryRunner } from "@sqlblocks/core/driver";
import { openPgCursor } from "./cursor.js";
import { classifyPostgresError } from "./errors.js";
import { createDataSourceOptions } from "./options.js";

/** The wire protocol counts bind parameters in an unsigned 16-bit field. */
const MAX_BIND_PARAMETERS = 65_535;

async function clientOf(session: QueryRunner): Promise<PoolClient> {
  return (await session.connect()) as PoolClient;
}

/**
 * A statement name derived from its text: the server keeps one prepared statement per
 * distinct SQL on each connection, and pg skips the Parse step when it sees the name again.
 */
function statementName(sql: string): string {
  return `sqlb_${createHash("sha1").update(sql).digest("hex").slice(0, 20)}`;
}

/** A multi-statement simple query returns one result per statement: report the last with rows. */
function toStatementResult(result: QueryResult<Row> | QueryResult<Row>[]): StatementResult {
  if (!Array.isArray(result)) return { rows: result.rows, rowCount: result.rowCount ?? result.rows.length };
  let rows: Row[] = [];
  let rowCount = 0;
  for (const part of result) {
    if (part.fields.length > 0) rows = part.rows;
    rowCount += part.rowCount ?? 0;
  }
  return { rows, rowCount };
}

/**
 * The PostgreSQL driver: TypeORM + pg, server-side cursors as named portals (see `cursor.ts`).
 *
 * Statements run on pg's own client (one round trip, no TypeORM result shaping).
 * `executeRepeated` reuses one named prepared statement for every parameter set.
 */
const postgresPlugin: DriverPlugin = {
  contractVersion: DRIVER_CONTRACT_VERSION,
  packageName: "@sqlblocks/driver-postgres",
  drivers: [Driver.POSTGRESQL_PG],
  placeholderStyle: "dollar",
  maxBindParameters: MAX_BIND_PARAMETERS,
  pingSql: "SELECT 1",

  createDataSourceOptions,

  async query(session, sql, values) {
    const client = await clientOf(session);
    const result = (await client.query<Row>(
      values.length > 0 ? { text: sql, values: [...values] } : sql,
    )) as QueryResult<Row> | QueryResult<Row>[];
    return toStatementResult(result);
  },

  async openCursor(session, sql, values) {
    return openPgCursor(await clientOf(session), sql, values);
  },

  async executeRepeated(session, sql, valuesList) {
    const client = await clientOf(session);
    const name = statementName(sql);
    let total = 0;
    for (let index = 0; index < valuesList.length; index++) {
      try {
        const result = await client.query<Row>({ name, text: sql, values: [...valuesList[index]!] });
        total += result.rowCount ?? 0;
      } catch (error) {
        throw new BatchItemError(index, error);
      }
    }
    return total;
  },

  async releaseBroken(session, error) {
    // TypeORM's PostgresQueryRunner.release() drops its argument; releasePostgresConnection
    // passes the error on to pg-pool, which then destroys the client instead of pooling it.
    const runner = session as QueryRunner & { releasePostgresConnection?: (error?: Error) => Promise<void> };
    if (typeof runner.releasePostgresConnection === "function") await runner.releasePostgresConnection(error);
    else await session.release();
  },

  classifyError: classifyPostgresError,
};

export default postgresPlugin;
