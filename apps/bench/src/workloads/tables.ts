import { SqlConnector } from "@sqlblocks/core";
import type { Database } from "../config.js";

/** The table every read benchmark uses: id int primary key, name, score, created. */
export const ROWS_TABLE = "bench_rows";
/** The table W1 inserts into. */
export const INSERT_TABLE = "bench_insert";

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
  await using db = new SqlConnector({ connectionInfo: url });
  await db.execute(`DROP TABLE IF EXISTS ${table}`);
  await db.execute(createSql(database, table));
}

/** Makes sure the read table holds exactly `rows` rows (kept between runs). */
export async function ensureRowsTable(url: string, database: Database, rows: number): Promise<void> {
  await using db = new SqlConnector({ connectionInfo: url });
  const present = await db
    .fetchAll<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${ROWS_TABLE}`)
    .then((result) => Number(result[0]?.n))
    .catch(() => -1);
  if (present === rows) return;
  await db.close();
  await recreateTable(url, database, ROWS_TABLE);
  await db.execute(fillSql(database, rows));
}
