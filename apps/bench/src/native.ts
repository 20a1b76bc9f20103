import { createRequire } from "node:module";
import type BetterSqlite3 from "better-sqlite3";
import type mysql from "mysql2/promise";
import type pg from "pg";

// Each native driver is required when a side first uses it, and core is not imported here:
// a child process measuring the raw side carries only the driver it runs.
const require = createRequire(import.meta.url);

/**
 * Native connection settings for the raw-driver side, from a sqlblocks URL
 * (`dialect+driver://user:password@host:port/database`, parts percent-encoded).
 */
function parts(url: string) {
  const parsed = new URL(url);
  const decode = (value: string) => (value ? decodeURIComponent(value) : undefined);
  return {
    host: decode(parsed.hostname) ?? "127.0.0.1",
    port: parsed.port ? Number(parsed.port) : undefined,
    user: decode(parsed.username),
    password: decode(parsed.password),
    database: decode(parsed.pathname.slice(1)),
  };
}

export function pgPool(url: string, max = 10): pg.Pool {
  const { Pool } = require("pg") as typeof pg;
  return new Pool({ ...parts(url), max });
}

export function mysqlPool(url: string, max = 10): mysql.Pool {
  const { createPool } = require("mysql2/promise") as typeof mysql;
  const { host, port, user, password, database } = parts(url);
  return createPool({ host, port: port ?? 3306, user, password, database, connectionLimit: max });
}

/** `sqlite+better-sqlite3:///path` (the form `databaseUrl` writes) opened with better-sqlite3, in WAL mode. */
export function sqliteDatabase(url: string): BetterSqlite3.Database {
  const Database = require("better-sqlite3") as typeof BetterSqlite3;
  const db = new Database(decodeURIComponent(url.replace(/^sqlite\+better-sqlite3:\/\/\//, "")) || ":memory:");
  db.pragma("journal_mode = WAL");
  return db;
}
