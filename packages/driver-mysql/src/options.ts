import {
  type ConnectionSettings,
  Driver,
  InvalidConnectionInfoError,
  parseInteger,
  readPemFile,
  type SslOptions,
} from "@sqlblocks/core/driver";
import mysql, { type Pool, type PoolConnection, type PoolOptions } from "mysql2";
import type { DataSourceOptions } from "@sqlblocks/core/driver";

/** MySQL's and MariaDB's default port. */
export const DEFAULT_PORT = 3306;

/** TLS settings in the shape mysql2 takes. */
export interface MysqlSsl {
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized?: boolean;
  checkServerIdentity?: () => undefined;
}

/** The URL query parameters this driver understands (PyMySQL / mysqlclient names). */
export const SUPPORTED_QUERY_PARAMETERS = [
  "charset",
  "timezone",
  "connect_timeout",
  "ssl_mode",
  "sslmode",
  "ssl_ca",
  "ssl_cert",
  "ssl_key",
] as const;

interface QueryMapping {
  ssl?: MysqlSsl | undefined;
  charset?: string | undefined;
  timezone?: string | undefined;
  connectTimeoutMs?: number | undefined;
}

/** MySQL's `--ssl-mode`. mysql2 cannot fall back to plain text, so PREFERRED connects without TLS. */
function sslFromMode(mode: string): MysqlSsl | undefined {
  switch (mode.toUpperCase().replace(/-/g, "_")) {
    case "DISABLED":
    case "PREFERRED":
      return undefined;
    case "REQUIRED":
      return { rejectUnauthorized: false };
    case "VERIFY_CA":
      return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case "VERIFY_IDENTITY":
      return { rejectUnauthorized: true };
    default:
      throw new InvalidConnectionInfoError(
        `URL parameter ssl_mode must be one of DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY; got ${JSON.stringify(mode)}`,
      );
  }
}

function mapQuery(query: Readonly<Record<string, string>>): QueryMapping {
  const mapping: QueryMapping = {};
  const pem: { ca?: string; cert?: string; key?: string } = {};
  for (const [name, value] of Object.entries(query)) {
    switch (name) {
      case "charset":
        mapping.charset = value;
        break;
      case "timezone":
        mapping.timezone = value;
        break;
      case "connect_timeout":
        // PyMySQL counts seconds.
        mapping.connectTimeoutMs = parseInteger(name, value) * 1000;
        break;
      case "ssl_mode":
      case "sslmode":
        mapping.ssl = sslFromMode(value);
        break;
      case "ssl_ca":
        pem.ca = readPemFile(name, value);
        break;
      case "ssl_cert":
        pem.cert = readPemFile(name, value);
        break;
      case "ssl_key":
        pem.key = readPemFile(name, value);
        break;
      default:
        throw new InvalidConnectionInfoError(
          `URL parameter ${JSON.stringify(name)} is not supported by mysql2; supported: ${SUPPORTED_QUERY_PARAMETERS.join(", ")}. ` +
            "Pass other native mysql2 options through connectArgs",
        );
    }
  }
  if (pem.ca !== undefined || pem.cert !== undefined || pem.key !== undefined) {
    mapping.ssl = { ...(mapping.ssl ?? { rejectUnauthorized: true }), ...pem };
  }
  return mapping;
}

function sslFromSettings(ssl: boolean | SslOptions): MysqlSsl | undefined {
  if (ssl === false) return undefined;
  if (ssl === true) return { rejectUnauthorized: true };
  const tls: MysqlSsl = {};
  if (ssl.ca !== undefined) tls.ca = ssl.ca;
  if (ssl.cert !== undefined) tls.cert = ssl.cert;
  if (ssl.key !== undefined) tls.key = ssl.key.reveal();
  if (ssl.rejectUnauthorized !== undefined) tls.rejectUnauthorized = ssl.rejectUnauthorized;
  return tls;
}

function ignoreConnectionError(): void {}

type ConnectionCallback = (error: NodeJS.ErrnoException | null, connection: PoolConnection) => void;

/**
 * Makes a mysql2 pool safe to leave alone and gives it an acquire timeout:
 *
 * - Every connection gets a permanent `error` listener. A connection the server drops
 *   while idle (restart, `KILL`, `wait_timeout`) emits `error` more than once; mysql2
 *   removes it from the pool, and without a listener Node would crash the process.
 * - mysql2 pools wait forever for a free connection; `acquireTimeoutMs` makes
 *   `getConnection` fail with `POOL_ACQUIRE_TIMEOUT` instead (a connection that arrives
 *   later goes straight back to the pool).
 */
export function guardPool(pool: Pool, acquireTimeoutMs: number | undefined): Pool {
  pool.on("connection", (connection) => {
    connection.on("error", ignoreConnectionError);
  });
  if (acquireTimeoutMs === undefined) return pool;
  const getConnection = pool.getConnection.bind(pool) as (callback: ConnectionCallback) => void;
  const withTimeout = (callback: ConnectionCallback): void => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      const error = Object.assign(
        new Error(`timed out after ${acquireTimeoutMs} ms waiting for a free connection: raise pool.max or pool.acquireTimeoutMs`),
        { code: "POOL_ACQUIRE_TIMEOUT" },
      );
      callback(error, undefined as unknown as PoolConnection);
    }, acquireTimeoutMs);
    getConnection((error, connection) => {
      if (settled) {
        connection?.release();
        return;
      }
      settled = true;
      clearTimeout(timer);
      callback(error, connection);
    });
  };
  (pool as unknown as { getConnection: typeof withTimeout }).getConnection = withTimeout;
  return pool;
}

/**
 * With a credential provider: before the pool opens a new connection (no idle one to lend),
 * ask the provider and hand the pool the fresh password. mysql2 reads a connection's password
 * synchronously in its handshake, so it must be in place first; TypeORM's own first
 * connection goes through here too.
 */
export function withPasswordProvider(pool: Pool, provider: () => Promise<string>): Pool {
  const getConnection = pool.getConnection.bind(pool) as (callback: ConnectionCallback) => void;
  const internals = pool as unknown as { _freeConnections?: { length: number }; config: { connectionConfig: { password?: string } } };
  const refreshed = (callback: ConnectionCallback): void => {
    // Unknown pool internals: ask every time rather than risk a stale password.
    if ((internals._freeConnections?.length ?? 0) > 0) return getConnection(callback);
    provider().then(
      (password) => {
        internals.config.connectionConfig.password = password;
        getConnection(callback);
      },
      (error: unknown) => callback(error as Error, undefined as unknown as PoolConnection),
    );
  };
  (pool as unknown as { getConnection: typeof refreshed }).getConnection = refreshed;
  return pool;
}

/** The mysql2 module as TypeORM sees it: the real one, whose pools are guarded. */
function nativeModule(acquireTimeoutMs: number | undefined, provider: (() => Promise<string>) | undefined): typeof mysql {
  const module = Object.create(mysql) as typeof mysql & { createPool: (config: PoolOptions) => Pool };
  module.createPool = (config: PoolOptions) => {
    const pool = mysql.createPool(config);
    return guardPool(provider ? withPasswordProvider(pool, provider) : pool, acquireTimeoutMs);
  };
  return module;
}

/**
 * Maps connector settings to TypeORM's MySQL / MariaDB options. The mysql2 module is
 * handed to TypeORM through `driver`, so TypeORM never looks it up by name.
 *
 * - `pool.max` → `poolSize` (mysql2 `connectionLimit`); `pool.min` → `maxIdle` (idle
 *   connections kept open); `pool.idleTimeoutMs` → `idleTimeout` (and `maxIdle` defaults to
 *   `pool.min ?? 0` so the timeout applies); `pool.acquireTimeoutMs` → a timeout on
 *   waiting for a free connection (mysql2 has none of its own).
 * - `connectTimeoutMs` → `connectTimeout`.
 * - `ssl` wins over the URL's `ssl_mode`; the URL query is described in the README.
 * - Type mapping: `supportBigNumbers` and `bigNumberStrings` (BIGINT and DECIMAL as
 *   strings), `dateStrings: false` (DATETIME / TIMESTAMP / DATE as `Date`).
 * - `connectArgs` are merged last into the native mysql2 options (`extra`).
 */
export function createDataSourceOptions(settings: ConnectionSettings): DataSourceOptions {
  const { components } = settings;
  const fromQuery = mapQuery(components.query ?? {});
  const pool = settings.pool ?? {};
  const extra: Record<string, unknown> = {};
  if (pool.min !== undefined || pool.idleTimeoutMs !== undefined) extra.maxIdle = pool.min ?? 0;
  if (pool.idleTimeoutMs !== undefined) extra.idleTimeout = pool.idleTimeoutMs;
  Object.assign(extra, settings.connectArgs);
  const options = {
    type: components.driver === Driver.MARIADB_MYSQL2 ? ("mariadb" as const) : ("mysql" as const),
    driver: nativeModule(pool.acquireTimeoutMs, settings.passwordProvider),
    host: components.host || "localhost",
    port: components.port ?? DEFAULT_PORT,
    database: components.database || undefined,
    username: components.username || undefined,
    password: components.password?.reveal(),
    ssl: settings.ssl !== undefined ? sslFromSettings(settings.ssl) : fromQuery.ssl,
    charset: fromQuery.charset,
    timezone: fromQuery.timezone,
    connectTimeout: settings.connectTimeoutMs ?? fromQuery.connectTimeoutMs,
    poolSize: pool.max,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: false,
    synchronize: false,
    logging: false,
    entities: [],
    extra,
  };
  return options as DataSourceOptions;
}

