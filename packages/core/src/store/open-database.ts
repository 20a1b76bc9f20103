import path from "node:path";
import { Driver } from "../driver/drivers.js";
import { SqlBlocksError, StoreError } from "../errors.js";
import type { Secret } from "../secret/secret.js";
import { parseConnectionUrl } from "../url/parse.js";
import type { StoreDatabase, StoreEngine } from "./database.js";
import { locatePeer, requirePeer } from "./peer.js";
import { type PgModule, PostgresStoreDatabase } from "./postgres-database.js";
import { SqliteStoreDatabase } from "./sqlite-database.js";
import { betterSqlite3Opener, NO_ENGINE_ADVICE, nodeSqliteOpener } from "./sqlite-engines.js";

/** Points the store at PostgreSQL: `postgresql://user:pass@host:5432/db` (any PostgreSQL alias). */
export const STORE_URL_ENV = "SQLBLOCKS_STORE_URL";
/** Forces one engine: `node:sqlite`, `better-sqlite3` or `postgres` (default: automatic). */
export const STORE_ENGINE_ENV = "SQLBLOCKS_STORE_ENGINE";
/** The PostgreSQL schema holding the store's tables (default `sqlblocks`). */
export const STORE_SCHEMA_ENV = "SQLBLOCKS_STORE_SCHEMA";
/** The default PostgreSQL schema of the store. */
export const DEFAULT_STORE_SCHEMA = "sqlblocks";
/** The store database's file name inside the home folder. */
export const STORE_FILE_NAME = "sqlblocks.db";

const ENGINES: readonly StoreEngine[] = ["node:sqlite", "better-sqlite3", "postgres"];
const URL_QUERY = ["schema", "sslmode"] as const;

/**
 * Where and how to open the store. Anything left out comes from the environment
 * (`SQLBLOCKS_STORE_URL`, `SQLBLOCKS_STORE_ENGINE`, `SQLBLOCKS_STORE_SCHEMA`,
 * `SQLBLOCKS_HOME`).
 *
 * Precedence: an explicit `engine` (or `SQLBLOCKS_STORE_ENGINE`) wins; else a `url` (or
 * `SQLBLOCKS_STORE_URL`) means PostgreSQL; else the embedded SQLite file in `home`, through
 * `node:sqlite` when the runtime has it (nothing to install or build), else the
 * application's `better-sqlite3`.
 */
export interface StoreOptions {
  /** The folder of the embedded store and its key file (default `$SQLBLOCKS_HOME` or `~/.sqlblocks`). */
  home?: string | undefined;
  /** A PostgreSQL URL for a shared store. */
  url?: string | Secret | undefined;
  /** The PostgreSQL schema (default `sqlblocks`). */
  schema?: string | undefined;
  /** Force one engine, or `"auto"`. */
  engine?: StoreEngine | "auto" | undefined;
}

/** The engine and location a set of options resolves to, without opening anything. */
export type StoreTarget =
  | { engine: "postgres"; url: string | Secret; schema: string }
  | { engine: "node:sqlite" | "better-sqlite3" | "auto"; file: string };

function parseEngine(value: string | undefined, source: string): StoreEngine | "auto" {
  const text = (value ?? "").trim().toLowerCase();
  if (text === "" || text === "auto") return "auto";
  if (text === "postgresql" || text === "pg") return "postgres";
  if (text === "sqlite" || text === "node-sqlite") return "node:sqlite";
  if ((ENGINES as readonly string[]).includes(text)) return text as StoreEngine;
  throw new StoreError(`${source} must be one of auto, ${ENGINES.join(", ")}; got ${JSON.stringify(value)}`);
}

/** Works out which engine and location the options (and environment) ask for. */
export function resolveStoreTarget(options: StoreOptions, home: string, env: NodeJS.ProcessEnv): StoreTarget {
  const engine = options.engine ?? parseEngine(env[STORE_ENGINE_ENV], STORE_ENGINE_ENV);
  const url = options.url ?? (env[STORE_URL_ENV]?.trim() ? env[STORE_URL_ENV] : undefined);
  const schema = options.schema ?? (env[STORE_SCHEMA_ENV]?.trim() || DEFAULT_STORE_SCHEMA);
  if (engine === "postgres" || (engine === "auto" && url !== undefined)) {
    if (url === undefined) {
      throw new StoreError(`${STORE_ENGINE_ENV}=postgres needs ${STORE_URL_ENV}=postgresql://user@host:5432/database`);
    }
    return { engine: "postgres", url, schema };
  }
  if (url !== undefined) {
    throw new StoreError(
      `the store engine ${engine} is the embedded SQLite store, but a PostgreSQL URL is set (${STORE_URL_ENV} or the url option): drop one of them`,
    );
  }
  return { engine, file: path.join(home, STORE_FILE_NAME) };
}

/** Opens the {@link StoreDatabase} a target names (the schema is not touched yet). */
export function openStoreDatabase(target: StoreTarget): StoreDatabase {
  if (target.engine === "postgres") return openPostgres(target.url, target.schema);
  if (target.engine === "node:sqlite") {
    const open = nodeSqliteOpener();
    if (!open) {
      throw new StoreError(
        `${STORE_ENGINE_ENV}=node:sqlite, but this Node.js ${process.version} has no node:sqlite: use Node.js 22.13 or later, or another engine`,
      );
    }
    return new SqliteStoreDatabase(target.file, "node:sqlite", open);
  }
  if (target.engine === "better-sqlite3") {
    const open = betterSqlite3Opener();
    if (!open) {
      throw new StoreError(
        `${STORE_ENGINE_ENV}=better-sqlite3, but better-sqlite3 is not installed in this application: pnpm add better-sqlite3 && pnpm approve-builds (npm install better-sqlite3)`,
      );
    }
    return new SqliteStoreDatabase(target.file, "better-sqlite3", open);
  }
  const builtin = nodeSqliteOpener();
  if (builtin) return new SqliteStoreDatabase(target.file, "node:sqlite", builtin);
  const addon = betterSqlite3Opener();
  if (addon) return new SqliteStoreDatabase(target.file, "better-sqlite3", addon);
  throw new StoreError(
    `cannot open the block store at ${target.file}: Node.js ${process.version} has no node:sqlite and better-sqlite3 is not installed. To fix it, ${NO_ENGINE_ADVICE}`,
  );
}

function openPostgres(url: string | Secret, schemaOption: string): StoreDatabase {
  let components: ReturnType<typeof parseConnectionUrl>;
  try {
    components = parseConnectionUrl(url);
  } catch (error) {
    const reason = error instanceof SqlBlocksError ? error.message : "it does not parse";
    throw new StoreError(`${STORE_URL_ENV} is not a usable PostgreSQL URL: ${reason}`, { cause: error });
  }
  if (components.driver !== Driver.POSTGRESQL_PG) {
    throw new StoreError(
      `${STORE_URL_ENV} must point at PostgreSQL (postgresql://…, any alias of postgresql+pg), not ${components.driver}: the shared store runs on PostgreSQL only`,
    );
  }
  const query = components.query ?? {};
  const unknown = Object.keys(query).filter((key) => !(URL_QUERY as readonly string[]).includes(key));
  if (unknown.length > 0) {
    throw new StoreError(
      `${STORE_URL_ENV} has unsupported parameter(s) ${unknown.join(", ")}: supported are ${URL_QUERY.join(", ")}`,
    );
  }
  const entry = locatePeer("pg", ["@sqlblocks/driver-postgres"]);
  if (!entry) {
    throw new StoreError(
      `${STORE_URL_ENV} points at PostgreSQL, which needs the pg package in your application: pnpm add pg (or npm install pg)`,
    );
  }
  const pg = requirePeer<PgModule>(entry);
  const sslmode = query.sslmode;
  const ssl =
    sslmode === undefined || sslmode === "disable" || sslmode === "prefer" || sslmode === "allow"
      ? undefined
      : sslmode === "require"
        ? { rejectUnauthorized: false }
        : {};
  return new PostgresStoreDatabase(pg, {
    host: components.host ?? "localhost",
    port: components.port ?? 5432,
    database: components.database ?? components.username ?? "postgres",
    user: components.username ?? "postgres",
    password: components.password?.reveal(),
    schema: query.schema ?? schemaOption,
    ssl,
  });
}
