import {
  type ConnectionSettings,
  InvalidConnectionInfoError,
  mergeOptions,
  normalizeQueryKey,
  parseBoolean,
  parseInteger,
  revealSecret,
} from "@sqlblocks/core/driver";
import mssql from "mssql";
import type { DataSourceOptions } from "@sqlblocks/core/driver";

/** SQL Server's default port. */
export const DEFAULT_PORT = 1433;

/** The tedious options a URL query may set, keyed by their normalized name. */
type OptionsFromQuery = (options: Record<string, unknown>, config: Record<string, unknown>, key: string, value: string) => void;

const QUERY_OPTIONS: Readonly<Record<string, OptionsFromQuery>> = {
  encrypt: (options, _config, key, value) => {
    // TDS 8.0 (SQL Server 2022) encrypts before the login handshake: tedious calls that "strict".
    options.encrypt = value.trim().toLowerCase() === "strict" ? "strict" : parseBoolean(key, value);
  },
  trustservercertificate: (options, _config, key, value) => {
    options.trustServerCertificate = parseBoolean(key, value);
  },
  instancename: (options, _config, _key, value) => {
    options.instanceName = value;
  },
  instance: (options, _config, _key, value) => {
    options.instanceName = value;
  },
  appname: (options, _config, _key, value) => {
    options.appName = value;
  },
  applicationname: (options, _config, _key, value) => {
    options.appName = value;
  },
  applicationintent: (options, _config, key, value) => {
    const intent = value.trim().toLowerCase();
    if (intent !== "readonly" && intent !== "readwrite") {
      throw new InvalidConnectionInfoError(`URL query parameter ${key}=${JSON.stringify(value)} must be ReadOnly or ReadWrite`);
    }
    options.readOnlyIntent = intent === "readonly";
  },
  readonlyintent: (options, _config, key, value) => {
    options.readOnlyIntent = parseBoolean(key, value);
  },
  multisubnetfailover: (options, _config, key, value) => {
    options.multiSubnetFailover = parseBoolean(key, value);
  },
  packetsize: (options, _config, key, value) => {
    options.packetSize = parseInteger(key, value, 512);
  },
  requesttimeout: (_options, config, key, value) => {
    config.requestTimeout = parseInteger(key, value);
  },
};

/**
 * Keys that Python URLs carry for pyodbc or pymssql and that mean nothing to tedious
 * (`driver=ODBC Driver 18 for SQL Server`, …): accepted and ignored, so a pasted URL works.
 */
const IGNORED_PYTHON_KEYS = new Set(["driver", "charset", "tdsversion", "autocommit", "ansi", "unicoderesults", "longasmax"]);

/**
 * The mssql (tedious) connection config for the settings: the native options, before
 * TypeORM sees them.
 *
 * Order of precedence, lowest first: sqlblocks' defaults, the URL query, `ssl`, `pool`
 * and `connectTimeoutMs`, then `connectArgs` (its `options`, `pool` and
 * `authentication` objects are merged key by key, everything else replaces).
 *
 * @example
 * createMssqlConfig({ components: parseConnectionUrl("mssql+pyodbc://sa:pw@db:1433/app?TrustServerCertificate=yes") })
 * // { server: "db", port: 1433, database: "app", user: "sa", password: "pw",
 * //   requestTimeout: 0, options: { encrypt: true, trustServerCertificate: true, useUTC: true }, … }
 */
export function createMssqlConfig(settings: ConnectionSettings): mssql.config {
  const { components } = settings;
  const options: Record<string, unknown> = {
    encrypt: true,
    trustServerCertificate: false,
    // mssql's own default: DATETIME values without an offset are read and written as UTC.
    useUTC: true,
  };
  const config: Record<string, unknown> = {
    server: components.host || "localhost",
    port: components.port ?? DEFAULT_PORT,
    // As in pyodbc and pymssql, a statement may run as long as it needs; tedious would stop it after 15 s.
    requestTimeout: 0,
  };
  if (components.database) config.database = components.database;
  if (components.username !== undefined) config.user = components.username;
  const password = revealSecret(components.password);
  if (password !== undefined) config.password = password;

  applyQuery(components.query, options, config);
  applySsl(settings.ssl, options);
  if (settings.connectTimeoutMs !== undefined) config.connectionTimeout = settings.connectTimeoutMs;
  const pool = poolConfig(settings.pool);
  if (pool) config.pool = pool;
  config.options = options;

  return mergeOptions(config, settings.connectArgs, ["options", "pool", "authentication"]) as unknown as mssql.config;
}

/**
 * Maps connector settings to TypeORM's SQL Server options. The mssql module is handed to
 * TypeORM through `driver`, so TypeORM never looks it up by name; the native config goes
 * in `extra`, which TypeORM applies last.
 */
export function createDataSourceOptions(settings: ConnectionSettings): DataSourceOptions {
  const native = createMssqlConfig(settings);
  return {
    type: "mssql",
    driver: settings.passwordProvider ? withCredentialProvider(settings.passwordProvider) : mssql,
    // Informational for TypeORM (it asks the server otherwise); the password lives only in `extra`.
    host: native.server,
    port: native.port,
    database: native.database,
    username: native.user,
    extra: native,
  } as DataSourceOptions;
}

function applyQuery(
  query: Record<string, string> | undefined,
  options: Record<string, unknown>,
  config: Record<string, unknown>,
): void {
  for (const [key, value] of Object.entries(query ?? {})) {
    const normalized = normalizeQueryKey(key);
    const apply = QUERY_OPTIONS[normalized];
    if (apply) {
      apply(options, config, key, value);
    } else if (normalized === "odbcconnect") {
      throw new InvalidConnectionInfoError(
        "odbc_connect URLs are not supported: give the host, port, database, user and password as URL parts",
      );
    } else if (!IGNORED_PYTHON_KEYS.has(normalized)) {
      throw new InvalidConnectionInfoError(
        `unknown URL query parameter "${key}" for SQL Server: supported are encrypt, trustServerCertificate, ` +
          "instanceName, appName, applicationIntent, readOnlyIntent, multiSubnetFailover, packetSize and requestTimeout; " +
          "pass any other tedious option in connectArgs.options",
      );
    }
  }
}

/**
 * `ssl: true` encrypts, `ssl: false` does not; an object encrypts, trusts the server's
 * certificate without verifying it when `rejectUnauthorized` is false, and hands `ca`,
 * `cert` and `key` to TLS.
 */
function applySsl(ssl: ConnectionSettings["ssl"], options: Record<string, unknown>): void {
  if (ssl === undefined) return;
  if (typeof ssl === "boolean") {
    options.encrypt = ssl;
    return;
  }
  options.encrypt = true;
  if (ssl.rejectUnauthorized !== undefined) options.trustServerCertificate = !ssl.rejectUnauthorized;
  const credentials: Record<string, unknown> = {};
  if (ssl.ca !== undefined) credentials.ca = ssl.ca;
  if (ssl.cert !== undefined) credentials.cert = ssl.cert;
  const key = revealSecret(ssl.key);
  if (key !== undefined) credentials.key = key;
  if (Object.keys(credentials).length > 0) options.cryptoCredentialsDetails = credentials;
}

function poolConfig(pool: ConnectionSettings["pool"]): Record<string, number> | undefined {
  if (!pool) return undefined;
  const config: Record<string, number> = {};
  if (pool.max !== undefined) config.max = pool.max;
  if (pool.min !== undefined) config.min = pool.min;
  if (pool.idleTimeoutMs !== undefined) config.idleTimeoutMillis = pool.idleTimeoutMs;
  if (pool.acquireTimeoutMs !== undefined) config.acquireTimeoutMillis = pool.acquireTimeoutMs;
  return Object.keys(config).length > 0 ? config : undefined;
}

/**
 * tedious's authentication type for a Microsoft Entra ID access token given as is: with it,
 * what the credential provider returns is the token, not a password.
 */
export const ACCESS_TOKEN_AUTHENTICATION = "azure-active-directory-access-token";

/** The part of mssql's tedious pool that builds each new connection. */
interface PoolInternals {
  config: mssql.config;
  _poolCreate(): Promise<unknown>;
}

/**
 * The mssql module with a pool that asks the credential provider before it opens each new
 * connection (mssql builds every tedious connection's config from `pool.config` at that
 * moment). The answer is the login's password, or the access token when `authentication`
 * (in `connectArgs`) is {@link ACCESS_TOKEN_AUTHENTICATION}; it is never stored elsewhere.
 */
export function withCredentialProvider(provider: () => Promise<string>): typeof mssql {
  const Base = mssql.ConnectionPool as unknown as new (config: mssql.config) => PoolInternals;
  class ProvidedCredentialPool extends Base {
    override async _poolCreate(): Promise<unknown> {
      const credential = await provider();
      const authentication = this.config.authentication as { type?: string; options?: Record<string, unknown> } | undefined;
      if (authentication?.type === ACCESS_TOKEN_AUTHENTICATION) {
        this.config.authentication = { ...authentication, options: { ...authentication.options, token: credential } } as mssql.config["authentication"];
      } else {
        this.config.password = credential;
      }
      return super._poolCreate();
    }
  }
  return Object.assign(Object.create(mssql) as typeof mssql, { ConnectionPool: ProvidedCredentialPool as unknown as typeof mssql.ConnectionPool });
}
