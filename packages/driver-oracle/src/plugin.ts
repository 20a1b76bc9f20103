import { DRIVER_CONTRACT_VERSION, Driver, type DriverPlugin } from "@sqlblocks/core/driver";
import type { DataSource } from "@sqlblocks/core/driver";
import { connectOracle } from "./connection.js";
import { classifyOracleError } from "./errors.js";
import { createDataSourceOptions } from "./options.js";

/** Oracle's limit on bind variables in one statement. */
export const MAX_BIND_PARAMETERS = 65535;

/**
 * The Oracle driver: TypeORM + node-oracledb in thin mode (no Oracle Client libraries).
 *
 * TypeORM's DataSource is the pool; connections (see `connection.ts`) run statements with
 * numbered binds (`:1`, `:2`); cursors are ResultSets; `executeMany` of DML uses
 * `connection.executeMany` (one round trip, with batch errors naming the failing set).
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
  isolationLevels: ["READ COMMITTED", "SERIALIZABLE"],

  createDataSourceOptions,

  connect(dataSource: DataSource) {
    return connectOracle((dataSource.driver as unknown as { master: unknown }).master);
  },

  classifyError: classifyOracleError,
};

export default oraclePlugin;
