import { parseConnectionUrl } from "@sqlblocks/core";
import Database from "better-sqlite3";
import mysql from "mysql2/promise";
import pg from "pg";

/** Native connection settings for the raw-driver side, from a sqlblocks URL. */
function parts(url: string) {
  const c = parseConnectionUrl(url);
  return {
    host: c.host ?? "127.0.0.1",
    port: c.port,
    user: c.username,
    password: c.password?.reveal(),
    database: c.database,
  };
}

export function pgPool(url: string, max = 10): pg.Pool {
  return new pg.Pool({ ...parts(url), max });
}

export function mysqlPool(url: string, max = 10): mysql.Pool {
  const { host, port, user, password, database } = parts(url);
  return mysql.createPool({ host, port: port ?? 3306, user, password, database, connectionLimit: max });
}

export function sqliteDatabase(url: string): Database.Database {
  const db = new Database(parseConnectionUrl(url).database ?? ":memory:");
  db.pragma("journal_mode = WAL");
  return db;
}
