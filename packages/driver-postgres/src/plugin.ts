import { DRIVER_CONTRACT_VERSION, Driver, type DriverPlugin } from "@sqlblocks/core/driver";
import type { Pool } from "pg";
import type { DataSource } from "@sqlblocks/core/driver";
import { connectPg } from "./connection.js";
import { classifyPostgresError } from "./errors.js";
import { createDataSourceOptions } from "./options.js";
import { openPgPool } from "./pool.js";

/** The wire protocol counts bind parameters in an unsigned 16-bit field. */
const MAX_BIND_PARAMETERS = 65_535;

/**
 * The PostgreSQL driver: TypeORM + pg, server-side cursors as named portals (see `cursor.ts`).
 *
 * TypeORM's DataSource is the pool; connections are pg clients taken from it
 * (see `connection.ts`). The pool is opened first as a plain `pg.Pool` from the same options
 * and the DataSource adopts it when `getDataSource()` is first called (see `pool.ts`).
 */
const postgresPlugin: DriverPlugin = {
  contractVersion: DRIVER_CONTRACT_VERSION,
  packageName: "@sqlblocks/driver-postgres",
  drivers: [Driver.POSTGRESQL_PG],
  placeholderStyle: "dollar",
  maxBindParameters: MAX_BIND_PARAMETERS,
  pingSql: "SELECT 1",
  isolationLevels: ["READ UNCOMMITTED", "READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE"],

  createDataSourceOptions,
  passwordProviders: true,

  connect(dataSource: DataSource) {
    return connectPg((dataSource.driver as unknown as { master: Pool }).master);
  },
  // The first statement does not wait for TypeORM: the DataSource adopts this pool when asked for.
  openNativePool: openPgPool,

  classifyError: classifyPostgresError,
};

export default postgresPlugin;
