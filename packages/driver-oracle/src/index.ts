/**
 * Oracle for sqlblocks, through TypeORM and node-oracledb in thin mode.
 *
 * Installed in the application, it is found automatically for `oracle+oracledb://` blocks
 * (and Python's `oracle://`, `oracle+cx_oracle://`, `oracle+oracledb_async://`);
 * `registerDriver(oraclePlugin)` registers it explicitly.
 *
 * @packageDocumentation
 */
import oraclePlugin from "./plugin.js";

export { bindsAreUniform, toOracleValue } from "./binds.js";
export { ResultSetCursor } from "./cursor.js";
export { classifyOracleError, DEADLOCK, TRANSIENT_NJS_CODES, TRANSIENT_ORA_NUMBERS } from "./errors.js";
export { createDataSourceOptions, createOracleAttributes, DEFAULT_PORT } from "./options.js";
export { MAX_BIND_PARAMETERS } from "./plugin.js";
export { columnKey } from "./rows.js";
export { oracleStatement, type StatementKind, statementKind } from "./statements.js";
export default oraclePlugin;
