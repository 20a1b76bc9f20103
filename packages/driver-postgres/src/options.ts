import type { ConnectionOptions as TlsConnectionOptions } from "node:tls";
import {
  type ConnectionSettings,
  InvalidConnectionInfoError,
  parseInteger,
  readPemFile,
  type SslOptions,
} from "@sqlblocks/core/driver";
import pg from "pg";
import type { DataSourceOptions } from "@sqlblocks/core/driver";

/** PostgreSQL's default port. */
export const DEFAULT_PORT = 5432;

/** TLS settings in the shape `pg` takes (`ssl: boolean | tls.ConnectionOptions`). */
export type PgSsl = boolean | (TlsConnectionOptions & { ca?: string; cert?: string; key?: string; rejectUnauthorized?: boolean });

/** What the URL query of a `postgresql+pg://…?k=v` URL maps to. */
interface QueryMapping {
  ssl?: PgSsl | undefined;
  applicationName?: string | undefined;
  connectTimeoutMs?: number | undefined;
  /** Native `pg` client options. */
  extra: Record<string, unknown>;
}

/** The URL query parameters this driver understands (libpq names, as Python URLs use them). */
export const SUPPORTED_QUERY_PARAMETERS = [
  "sslmode",
  "sslrootcert",
  "sslcert",
  "sslkey",
  "application_name",
  "connect_timeout",
  "options",
  "search_path",
  "statement_timeout",
  "lock_timeout",
  "idle_in_transaction_session_timeout",
  "query_timeout",
  "keepalives",
  "keepalives_idle",
] as const;

/**
 * libpq's `sslmode`, mapped to `pg`. `pg` cannot fall back from TLS to plain text, so
 * `allow` and `prefer` (libpq's default) connect without TLS, as against most local servers.
 */
function sslFromMode(mode: string): PgSsl {
  switch (mode) {
    case "disable":
    case "allow":
    case "prefer":
      return false;
    case "require":
      return { rejectUnauthorized: false };
    case "verify-ca":
      // The chain is checked, the host name is not.
      return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case "verify-full":
      return { rejectUnauthorized: true };
    default:
      throw new InvalidConnectionInfoError(
        `URL parameter sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full; got ${JSON.stringify(mode)}`,
      );
  }
}

function mapQuery(query: Readonly<Record<string, string>>): QueryMapping {
  const mapping: QueryMapping = { extra: {} };
  const pem: { ca?: string; cert?: string; key?: string } = {};
  const startupOptions: string[] = [];
  for (const [name, value] of Object.entries(query)) {
    switch (name) {
      case "sslmode":
        mapping.ssl = sslFromMode(value);
        break;
      case "sslrootcert":
        pem.ca = readPemFile(name, value);
        break;
      case "sslcert":
        pem.cert = readPemFile(name, value);
        break;
      case "sslkey":
        pem.key = readPemFile(name, value);
        break;
      case "application_name":
        mapping.applicationName = value;
        break;
      case "connect_timeout":
        // libpq counts seconds.
        mapping.connectTimeoutMs = parseInteger(name, value) * 1000;
        break;
      case "options":
        startupOptions.push(value);
        break;
      case "search_path":
        startupOptions.push(`-c search_path=${value.replace(/[\s\\]/g, "\\$&")}`);
        break;
      case "statement_timeout":
      case "lock_timeout":
      case "idle_in_transaction_session_timeout":
      case "query_timeout":
        mapping.extra[name] = parseInteger(name, value);
        break;
      case "keepalives":
        mapping.extra.keepAlive = value !== "0";
        break;
      case "keepalives_idle":
        mapping.extra.keepAliveInitialDelayMillis = parseInteger(name, value) * 1000;
        break;
      default:
        throw new InvalidConnectionInfoError(
          `URL parameter ${JSON.stringify(name)} is not supported by postgresql+pg; supported: ${SUPPORTED_QUERY_PARAMETERS.join(", ")}. ` +
            "Pass other native pg options through connectArgs",
        );
    }
  }
  if (startupOptions.length > 0) mapping.extra.options = startupOptions.join(" ");
  if (pem.ca !== undefined || pem.cert !== undefined || pem.key !== undefined) {
    const base = typeof mapping.ssl === "object" ? mapping.ssl : { rejectUnauthorized: mapping.ssl !== false };
    mapping.ssl = { ...base, ...pem };
  }
  return mapping;
}

function sslFromSettings(ssl: boolean | SslOptions): PgSsl {
  if (typeof ssl === "boolean") return ssl;
  const tls: Exclude<PgSsl, boolean> = {};
  if (ssl.ca !== undefined) tls.ca = ssl.ca;
  if (ssl.cert !== undefined) tls.cert = ssl.cert;
  if (ssl.key !== undefined) tls.key = ssl.key.reveal();
  if (ssl.rejectUnauthorized !== undefined) tls.rejectUnauthorized = ssl.rejectUnauthorized;
  return tls;
}

/**
 * Idle clients that the server drops (restart, `pg_terminate_backend`, network loss) make
 * the pool emit `error`; the pool has already removed the client, and the next checkout
 * opens a new one. Without a listener Node would crash the process.
 */
function ignoreIdleClientError(): void {}

/**
 * Maps connector settings to TypeORM's PostgreSQL options. The `pg` module is handed to
 * TypeORM through `driver`, so TypeORM never looks it up by name.
 *
 * - `pool.max` → `poolSize` (pg-pool `max`); `pool.min` → `min`; `pool.idleTimeoutMs` →
 *   `idleTimeoutMillis`.
 * - `connectTimeoutMs` → `connectTimeoutMS`. pg-pool has one timeout for waiting for a free
 *   client and for opening one (`connectionTimeoutMillis`), so `pool.acquireTimeoutMs` sets
 *   it to the larger of the two.
 * - `ssl` wins over the URL's `sslmode`; the URL query is described in the README.
 * - `connectArgs` are merged last into the native `pg` pool/client options (`extra`).
 */
export function createDataSourceOptions(settings: ConnectionSettings): DataSourceOptions {
  const { components } = settings;
  const fromQuery = mapQuery(components.query ?? {});
  const pool = settings.pool ?? {};
  const connectTimeoutMs = settings.connectTimeoutMs ?? fromQuery.connectTimeoutMs;
  const extra: Record<string, unknown> = { ...fromQuery.extra };
  if (pool.min !== undefined) extra.min = pool.min;
  if (pool.idleTimeoutMs !== undefined) extra.idleTimeoutMillis = pool.idleTimeoutMs;
  if (pool.acquireTimeoutMs !== undefined) {
    extra.connectionTimeoutMillis = Math.max(pool.acquireTimeoutMs, connectTimeoutMs ?? 0);
  }
  // pg calls a password function each time it opens a connection: a credential provider.
  if (settings.passwordProvider) extra.password = settings.passwordProvider;
  Object.assign(extra, settings.connectArgs);
  const ssl = settings.ssl !== undefined ? sslFromSettings(settings.ssl) : fromQuery.ssl;
  const options = {
    type: "postgres" as const,
    driver: pg,
    host: components.host || "localhost",
    port: components.port ?? DEFAULT_PORT,
    database: components.database || undefined,
    username: components.username || undefined,
    password: components.password?.reveal(),
    ssl,
    applicationName: fromQuery.applicationName,
    connectTimeoutMS: connectTimeoutMs,
    poolSize: pool.max,
    poolErrorHandler: ignoreIdleClientError,
    synchronize: false,
    logging: false,
    entities: [],
    extra,
  };
  return options as DataSourceOptions;
}
