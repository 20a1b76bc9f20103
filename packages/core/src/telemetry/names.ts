/**
 * Attribute, metric and value names used by sqlblocks' OpenTelemetry instrumentation.
 *
 * The stable names of `@opentelemetry/semantic-conventions` are written out here instead of
 * imported: its entry point loads every attribute of every convention (about 15 ms of a cold
 * start) for the dozen strings a statement span needs. `test/telemetry-names.test.ts` checks
 * each against the package, so they cannot drift. Names that exist only in its `incubating`
 * entry point (development status) are copied too, as the contrib instrumentations do.
 */

/** `db.collection.name` (stable). */
export const ATTR_DB_COLLECTION_NAME = "db.collection.name" as const;
/** `db.namespace` (stable). */
export const ATTR_DB_NAMESPACE = "db.namespace" as const;
/** `db.operation.batch.size` (stable). */
export const ATTR_DB_OPERATION_BATCH_SIZE = "db.operation.batch.size" as const;
/** `db.operation.name` (stable). */
export const ATTR_DB_OPERATION_NAME = "db.operation.name" as const;
/** `db.query.summary` (stable). */
export const ATTR_DB_QUERY_SUMMARY = "db.query.summary" as const;
/** `db.query.text` (stable). */
export const ATTR_DB_QUERY_TEXT = "db.query.text" as const;
/** `db.response.status_code` (stable). */
export const ATTR_DB_RESPONSE_STATUS_CODE = "db.response.status_code" as const;
/** `db.system.name` (stable). */
export const ATTR_DB_SYSTEM_NAME = "db.system.name" as const;
/** `error.type` (stable). */
export const ATTR_ERROR_TYPE = "error.type" as const;
/** `server.address` (stable). */
export const ATTR_SERVER_ADDRESS = "server.address" as const;
/** `server.port` (stable). */
export const ATTR_SERVER_PORT = "server.port" as const;
/** `db.client.operation.duration` (stable). */
export const METRIC_DB_CLIENT_OPERATION_DURATION = "db.client.operation.duration" as const;

/** `db.system.name` of PostgreSQL (stable). */
export const DB_SYSTEM_NAME_VALUE_POSTGRESQL = "postgresql" as const;
/** `db.system.name` of MySQL (stable). */
export const DB_SYSTEM_NAME_VALUE_MYSQL = "mysql" as const;
/** `db.system.name` of MariaDB (stable). */
export const DB_SYSTEM_NAME_VALUE_MARIADB = "mariadb" as const;
/** `db.system.name` of Microsoft SQL Server (stable). */
export const DB_SYSTEM_NAME_VALUE_MICROSOFT_SQL_SERVER = "microsoft.sql_server" as const;

/** `db.system.name` of SQLite (development in the conventions: copied, not imported). */
export const DB_SYSTEM_NAME_VALUE_SQLITE = "sqlite" as const;
/** `db.system.name` of Oracle Database (development in the conventions: copied, not imported). */
export const DB_SYSTEM_NAME_VALUE_ORACLE_DB = "oracle.db" as const;

/** `db.system.name` for each dialect sqlblocks supports. */
export const DB_SYSTEM_NAMES = {
  postgresql: DB_SYSTEM_NAME_VALUE_POSTGRESQL,
  mysql: DB_SYSTEM_NAME_VALUE_MYSQL,
  mariadb: DB_SYSTEM_NAME_VALUE_MARIADB,
  sqlite: DB_SYSTEM_NAME_VALUE_SQLITE,
  mssql: DB_SYSTEM_NAME_VALUE_MICROSOFT_SQL_SERVER,
  oracle: DB_SYSTEM_NAME_VALUE_ORACLE_DB,
} as const;

/** Pool metrics (development): how many connections, by `db.client.connection.state`. */
export const METRIC_DB_CLIENT_CONNECTION_COUNT = "db.client.connection.count" as const;
/** Pool metrics (development): callers waiting for a connection. */
export const METRIC_DB_CLIENT_CONNECTION_PENDING_REQUESTS = "db.client.connection.pending_requests" as const;
/** Pool attribute (development): which pool a connection metric describes. */
export const ATTR_DB_CLIENT_CONNECTION_POOL_NAME = "db.client.connection.pool.name" as const;
/** Pool attribute (development): `idle` or `used`. */
export const ATTR_DB_CLIENT_CONNECTION_STATE = "db.client.connection.state" as const;

/** The histogram buckets the conventions give for `db.client.operation.duration`, in seconds. */
export const DB_OPERATION_DURATION_BUCKETS: readonly number[] = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

/** sqlblocks' own attributes: which connector method ran the statement. */
export const ATTR_SQLBLOCKS_METHOD = "sqlblocks.connector.method" as const;
/** sqlblocks' own attributes: the block the connector was loaded from. */
export const ATTR_SQLBLOCKS_BLOCK_NAME = "sqlblocks.block.name" as const;
/** sqlblocks' own attributes: rows a statement returned or affected. */
export const ATTR_SQLBLOCKS_ROW_COUNT = "sqlblocks.rows" as const;

/** The instrumentation scope name of core's tracer and meter. */
export const INSTRUMENTATION_SCOPE = "@sqlblocks/core" as const;
