/**
 * MySQL and MariaDB for sqlblocks, through TypeORM and mysql2.
 *
 * Installed in the application, it is found automatically for `mysql+mysql2://` and
 * `mariadb+mysql2://` blocks (and Python schemes such as `mysql+pymysql://`);
 * `registerDriver(mysql)` registers it explicitly.
 *
 * @example
 * import { registerDriver, SqlConnector } from "@sqlblocks/core";
 * import mysql from "@sqlblocks/driver-mysql";
 * registerDriver(mysql);
 * await using db = new SqlConnector({ connectionInfo: "mariadb+mysql2://app@localhost/app" });
 *
 * @packageDocumentation
 */
import mysqlPlugin from "./plugin.js";

export { HIGH_WATER_ROWS, type MysqlCursor } from "./cursor.js";
export { classifyMysqlError } from "./errors.js";
export { createDataSourceOptions, DEFAULT_PORT, guardPool, type MysqlSsl, SUPPORTED_QUERY_PARAMETERS } from "./options.js";
export default mysqlPlugin;
