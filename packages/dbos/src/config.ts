import os from "node:os";
import { DurableConfigError } from "./errors.js";

/** Where and as what durable runs are kept; see {@link resolveDurableConfig}. */
export interface DurableConfig {
  /** DBOS's system database, a `postgresql://` URL (DBOS creates the database on first start). */
  readonly systemDatabaseUrl: string;
  /** DBOS application name: every worker and client of one cluster uses the same. */
  readonly applicationName: string;
  /** DBOS application version, pinned so that every worker dequeues and recovers the same runs. */
  readonly applicationVersion: string;
  /** A worker whose heartbeat is older than this is taken over by a live one (ms). */
  readonly takeoverAfterMs: number;
  /** How often a worker writes its heartbeat and looks for dead workers (ms). */
  readonly heartbeatMs: number;
  /**
   * Whether DBOS's checkpoints wait for PostgreSQL's disk flush (default true). Off, a
   * checkpoint costs no fsync; a worker crash still loses nothing, but a crash of the
   * PostgreSQL server may lose the last moments of checkpoints, whose steps then run again.
   */
  readonly synchronousCommit: boolean;
}

/** Environment variables read by {@link resolveDurableConfig}. */
export const DURABLE_ENV = {
  storeUrl: "SQLBLOCKS_STORE_URL",
  databaseUrl: "SQLBLOCKS_DBOS_DATABASE_URL",
  application: "SQLBLOCKS_DBOS_APP",
  version: "SQLBLOCKS_DBOS_APP_VERSION",
  workerId: "SQLBLOCKS_WORKER_ID",
  takeoverAfterMs: "SQLBLOCKS_WORKER_TAKEOVER_AFTER_MS",
  heartbeatMs: "SQLBLOCKS_WORKER_HEARTBEAT_MS",
  synchronousCommit: "SQLBLOCKS_DBOS_SYNCHRONOUS_COMMIT",
} as const;

const POSTGRES_SCHEME = /^(postgres|postgresql)(\+[a-z0-9_]+)?:\/\//i;

function positiveMs(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new DurableConfigError(`${name} must be a number of milliseconds > 0, got "${raw}"`);
  return value;
}

/** A PostgreSQL URL in any sqlblocks or Python spelling, as the `postgresql://` URL DBOS and pg read. */
export function toPgUrl(url: string, variable: string): URL {
  const trimmed = url.trim();
  if (!POSTGRES_SCHEME.test(trimmed)) {
    throw new DurableConfigError(`${variable} must be a PostgreSQL URL (postgresql://user@host:5432/db) for durable runs`);
  }
  try {
    return new URL(trimmed.replace(POSTGRES_SCHEME, "postgresql://"));
  } catch {
    throw new DurableConfigError(`${variable} is not a valid URL: postgresql://user@host:5432/db`);
  }
}

/**
 * Reads the durable-run configuration from the environment, nothing else:
 *
 * - `SQLBLOCKS_STORE_URL` (the team store on PostgreSQL): DBOS's system database lives on the
 *   same server, in a database of its own named `<store database>_dbos` (`…_dbos_<app>` for an
 *   application name other than `sqlblocks`), created on first start.
 * - `SQLBLOCKS_DBOS_DATABASE_URL` overrides that with an explicit system database URL.
 * - `SQLBLOCKS_DBOS_APP` (default `sqlblocks`) and `SQLBLOCKS_DBOS_APP_VERSION` (default `<app>@1`)
 *   must be equal on every worker and client of one cluster.
 * - `SQLBLOCKS_WORKER_TAKEOVER_AFTER_MS` (default 60000) and `SQLBLOCKS_WORKER_HEARTBEAT_MS`
 *   (default 5000).
 * - `SQLBLOCKS_DBOS_SYNCHRONOUS_COMMIT=off` makes checkpoints skip the disk flush (see
 *   {@link DurableConfig.synchronousCommit}).
 *
 * @throws {DurableConfigError} when no PostgreSQL URL is set
 */
export function resolveDurableConfig(env: NodeJS.ProcessEnv = process.env): DurableConfig {
  const explicit = env[DURABLE_ENV.databaseUrl]?.trim();
  const store = env[DURABLE_ENV.storeUrl]?.trim();
  const applicationName = env[DURABLE_ENV.application]?.trim() || "sqlblocks";
  let url: URL;
  if (explicit) {
    url = toPgUrl(explicit, DURABLE_ENV.databaseUrl);
  } else if (store) {
    url = toPgUrl(store, DURABLE_ENV.storeUrl);
    const database = decodeURIComponent(url.pathname.replace(/^\//, "")) || "postgres";
    // DBOS wants queue and version names unique per system database: one database per application.
    const suffix = applicationName === "sqlblocks" ? "" : `_${applicationName.toLowerCase().replace(/[^a-z0-9_]/g, "_")}`;
    url.pathname = `/${encodeURIComponent(`${database}_dbos${suffix}`.slice(0, 63))}`;
  } else {
    throw new DurableConfigError(
      `durable runs need PostgreSQL: set ${DURABLE_ENV.storeUrl}=postgresql://user@host:5432/db (or ${DURABLE_ENV.databaseUrl}); flows called directly run in-process without it`,
    );
  }
  const heartbeatMs = positiveMs(env, DURABLE_ENV.heartbeatMs, 5_000);
  return {
    systemDatabaseUrl: url.href,
    applicationName,
    // DBOS wants version names unique across the applications of one system database.
    applicationVersion: env[DURABLE_ENV.version]?.trim() || `${applicationName}@1`,
    takeoverAfterMs: positiveMs(env, DURABLE_ENV.takeoverAfterMs, 60_000),
    heartbeatMs,
    synchronousCommit: env[DURABLE_ENV.synchronousCommit]?.trim().toLowerCase() !== "off",
  };
}

/** The worker id when `--id` is not given: `$SQLBLOCKS_WORKER_ID`, else the host name. */
export function defaultWorkerId(env: NodeJS.ProcessEnv = process.env): string {
  return env[DURABLE_ENV.workerId]?.trim() || os.hostname();
}

/** The location of a URL without its password, for messages. */
export function describeLocation(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || "5432"}${parsed.pathname}`;
  } catch {
    return "(unparsable URL)";
  }
}
