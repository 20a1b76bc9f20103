/**
 * Attribute, metric and value names used by sqlblocks' OpenTelemetry instrumentation.
 *
 * Stable names come from `@opentelemetry/semantic-conventions`. Names that exist only in its
 * `incubating` entry point (development status) are copied here, as the contrib
 * instrumentations do: that entry point is not meant to be imported at run time.
 */
import {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_BATCH_SIZE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_SUMMARY,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_RESPONSE_STATUS_CODE,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  DB_SYSTEM_NAME_VALUE_MARIADB,
  DB_SYSTEM_NAME_VALUE_MICROSOFT_SQL_SERVER,
  DB_SYSTEM_NAME_VALUE_MYSQL,
  DB_SYSTEM_NAME_VALUE_POSTGRESQL,
  METRIC_DB_CLIENT_OPERATION_DURATION,
} from "@opentelemetry/semantic-conventions";

export {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_BATCH_SIZE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_SUMMARY,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_RESPONSE_STATUS_CODE,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  METRIC_DB_CLIENT_OPERATION_DURATION,
};

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
