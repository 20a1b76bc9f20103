import type { Database } from "../config.js";
import { sqlblocks } from "./sqlblocks.js";

/**
 * The table the read benchmarks use (id int primary key, name, score, created), one per
 * size so a quick run never refills the full run's table. Kept between runs.
 */
export function rowsTable(rows: number): string {
  return `bench_rows_${rows}`;
}

/** Every row of the read table for `rows`. */
export function selectAllSql(rows: number): string {
  return `SELECT id, name, score, created FROM ${rowsTable(rows)}`;
}

/**
 * The table W1 inserts into: one per benchmark run (the runner sets SQLBLOCKS_BENCH_RUN for
 * its children), so two runs on one server never collide.
 */
export function insertTable(): string {
  return `bench_insert_${process.env.SQLBLOCKS_BENCH_RUN ?? process.pid}`;
}

function createSql(database: Database, table: string): string {
  switch (database) {
    case "postgres":
      return `CREATE TABLE ${table} (id integer PRIMARY KEY, name text, score double precision, created timestamp)`;
    case "mariadb":
      return `CREATE TABLE ${table} (id int PRIMARY KEY, name varchar(64), score double, created datetime)`;
    case "sqlite":
      return `CREATE TABLE ${table} (id INTEGER PRIMARY KEY, name TEXT, score REAL, created TEXT)`;
  }
}

function fillSql(database: Database, rows: number): string {
  const ROWS_TABLE = rowsTable(rows);
  switch (database) {
    case "postgres":
      return `INSERT INTO ${ROWS_TABLE} SELECT g, 'name ' || g, g * 1.5, now() FROM generate_series(1, ${rows}) g`;
    case "mariadb":
      return `INSERT INTO ${ROWS_TABLE} SELECT seq, CONCAT('name ', seq), seq * 1.5, NOW() FROM seq_1_to_${rows}`;
    case "sqlite":
      return `WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < ${rows})
              INSERT INTO ${ROWS_TABLE} SELECT x, 'name ' || x, x * 1.5, datetime('now') FROM g`;
  }
}

/** Creates an empty table, dropping an old one. */
export async function recreateTable(url: string, database: Database, table: string): Promise<void> {
  const { SqlConnector } = await sqlblocks();
  await using db = new SqlConnector({ connectionInfo: url });
  await db.execute(`DROP TABLE IF EXISTS ${table}`);
  await db.execute(createSql(database, table));
}

/** Drops a table if it exists. */
export async function dropTable(url: string, table: string): Promise<void> {
  const { SqlConnector } = await sqlblocks();
  await using db = new SqlConnector({ connectionInfo: url });
  await db.execute(`DROP TABLE IF EXISTS ${table}`);
}

/** Makes sure the read table for `rows` holds exactly that many rows (kept between runs). */
export async function ensureRowsTable(url: string, database: Database, rows: number): Promise<void> {
  const table = rowsTable(rows);
  const { SqlConnector } = await sqlblocks();
  await using db = new SqlConnector({ connectionInfo: url });
  const present = await db
    .fetchAll<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${table}`)
    .then((result) => Number(result[0]?.n))
    .catch(() => -1);
  if (present === rows) return;
  await db.close();
  await recreateTable(url, database, table);
  await db.execute(fillSql(database, rows));
}
