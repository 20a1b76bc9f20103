/**
 * SQL Server for sqlblocks, through TypeORM and mssql (tedious).
 *
 * Installed in the application, it is found automatically for `mssql+tedious://` blocks
 * (and Python's `mssql://`, `mssql+pyodbc://`, `mssql+pymssql://`);
 * `registerDriver(mssqlPlugin)` registers it explicitly.
 *
 * @packageDocumentation
 */
import mssqlPlugin from "./plugin.js";

export { StreamingCursor } from "./cursor.js";
export { classifyMssqlError, DEADLOCK, TRANSIENT_CODES, TRANSIENT_ERROR_NUMBERS } from "./errors.js";
export { ACCESS_TOKEN_AUTHENTICATION, createDataSourceOptions, createMssqlConfig, DEFAULT_PORT, withCredentialProvider } from "./options.js";
export { MAX_BIND_PARAMETERS, MAX_ROWS_PER_INSERT } from "./plugin.js";
export default mssqlPlugin;
