/**
 * PostgreSQL for sqlblocks, through TypeORM and pg.
 *
 * Installed in the application, it is found automatically for `postgresql+pg://` blocks
 * (and Python schemes such as `postgresql+psycopg2://`); `registerDriver(postgres)`
 * registers it explicitly.
 *
 * @example
 * import { registerDriver, SqlConnector } from "@sqlblocks/core";
 * import postgres from "@sqlblocks/driver-postgres";
 * registerDriver(postgres);
 * await using db = new SqlConnector({ connectionInfo: "postgresql+pg://app@localhost/app" });
 *
 * @packageDocumentation
 */
import postgresPlugin from "./plugin.js";

export { classifyPostgresError } from "./errors.js";
export { createDataSourceOptions, DEFAULT_PORT, type PgSsl, SUPPORTED_QUERY_PARAMETERS } from "./options.js";
export default postgresPlugin;
