/**
 * SQLite for sqlblocks, through TypeORM and better-sqlite3.
 *
 * Installed in the application, it is found automatically for `sqlite+better-sqlite3://`
 * blocks; `registerDriver(sqlite)` registers it explicitly.
 *
 * @packageDocumentation
 */
import sqlitePlugin from "./plugin.js";

export { createDataSourceOptions } from "./options.js";
export default sqlitePlugin;
