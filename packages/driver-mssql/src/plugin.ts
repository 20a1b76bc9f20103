import { DRIVER_CONTRACT_VERSION, Driver, type DriverPlugin } from "@sqlblocks/core/driver";
import type { DataSource } from "@sqlblocks/core/driver";
import { connectMssql } from "./connection.js";
import { classifyMssqlError } from "./errors.js";
import { createDataSourceOptions } from "./options.js";

/**
 * SQL Server accepts 2,100 parameters per request, and a parameterized statement is sent
 * as `sp_executesql @stmt, @params, …`, whose own two parameters count against it.
 */
export const MAX_BIND_PARAMETERS = 2098;
/** A table value constructor (`INSERT … VALUES (…), (…)`) takes at most 1,000 rows. */
export const MAX_ROWS_PER_INSERT = 1000;

/**
 * The SQL Server driver: TypeORM + mssql (tedious).
 *
 * TypeORM's DataSource is the pool; a connection (see `connection.ts`) runs statements on
 * the pool (autocommit) or on its mssql Transaction. Cursors are streaming requests read
 * with back-pressure.
 */
const mssqlPlugin: DriverPlugin = {
  contractVersion: DRIVER_CONTRACT_VERSION,
  packageName: "@sqlblocks/driver-mssql",
  drivers: [Driver.MSSQL_TEDIOUS],
  placeholderStyle: "at-p",
  maxBindParameters: MAX_BIND_PARAMETERS,
  maxRowsPerInsert: MAX_ROWS_PER_INSERT,
  pingSql: "SELECT 1",
  isolationLevels: ["READ UNCOMMITTED", "READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE"],

  createDataSourceOptions,
  passwordProviders: true,

  async connect(dataSource: DataSource) {
    return connectMssql((dataSource.driver as unknown as { master: unknown }).master);
  },

  classifyError: classifyMssqlError,
};

export default mssqlPlugin;
