import { DRIVER_CONTRACT_VERSION, Driver, type DriverPlugin } from "@sqlblocks/core/driver";
import type { Pool } from "mysql2";
import type { DataSource } from "@sqlblocks/core/driver";
import { connectMysql } from "./connection.js";
import { classifyMysqlError } from "./errors.js";
import { createDataSourceOptions } from "./options.js";

/** A prepared statement counts its parameters in an unsigned 16-bit field. */
const MAX_BIND_PARAMETERS = 65_535;

/**
 * The MySQL and MariaDB driver: TypeORM + mysql2.
 *
 * TypeORM's DataSource is the pool; connections are mysql2 pool connections taken from it
 * (see `connection.ts`): statements over the text protocol, cursors streaming rows with
 * back-pressure, `executeRepeated` on one server-side prepared statement.
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
  isolationLevels: ["READ UNCOMMITTED", "READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE"],

  createDataSourceOptions,
  passwordProviders: true,

  connect(dataSource: DataSource) {
    return connectMysql((dataSource.driver as unknown as { pool: Pool }).pool);
  },

  classifyError: classifyMysqlError,
};

export default mysqlPlugin;
