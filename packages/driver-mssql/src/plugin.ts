import {
  DRIVER_CONTRACT_VERSION,
  Driver,
  type DriverCursor,
  type DriverPlugin,
  type Row,
  type StatementResult,
} from "@sqlblocks/core/driver";
import type mssql from "mssql";
import { StreamingCursor } from "./cursor.js";
import { classifyMssqlError } from "./errors.js";
import { createDataSourceOptions } from "./options.js";
import { createRequest, serialized } from "./session.js";
import { bindValues } from "./values.js";

/**
 * SQL Server accepts 2,100 parameters per request, and a parameterized statement is sent
 * as `sp_executesql @stmt, @params, …`, whose own two parameters count against it.
 */
export const MAX_BIND_PARAMETERS = 2098;
/** A table value constructor (`INSERT … VALUES (…), (…)`) takes at most 1,000 rows. */
export const MAX_ROWS_PER_INSERT = 1000;

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
 * The SQL Server driver: TypeORM + mssql (tedious).
 *
 * Statements run on the session's mssql Transaction while one is active, else on the
 * pool (autocommit). Cursors are streaming requests read with back-pressure.
 */
const mssqlPlugin: DriverPlugin = {
  contractVersion: DRIVER_CONTRACT_VERSION,
  packageName: "@sqlblocks/driver-mssql",
  drivers: [Driver.MSSQL_TEDIOUS],
  placeholderStyle: "at-p",
  maxBindParameters: MAX_BIND_PARAMETERS,
  maxRowsPerInsert: MAX_ROWS_PER_INSERT,
  pingSql: "SELECT 1",

  createDataSourceOptions,

  query(session, sql, values) {
    return serialized(session, async () => {
      const request = await createRequest(session);
      bindValues(request, values);
      return toStatementResult(await request.query<Row>(sql));
    });
  },

  async openCursor(session, sql, values): Promise<DriverCursor> {
    const request = await createRequest(session);
    bindValues(request, values);
    return new StreamingCursor(request, sql);
  },

  classifyError: classifyMssqlError,
};

export default mssqlPlugin;
