import type { Connection as CallbackConnection } from "mysql2";
import type { PoolConnection } from "mysql2/promise";
import type pg from "pg";
import Cursor from "pg-cursor";
import { type Database, databaseUrl } from "../config.js";
import { mysqlPool, pgPool } from "../native.js";
import { dropTable, ensureRowsTable, recreateTable, rowsTable, selectAllSql } from "./tables.js";
import { sqlblocks } from "./sqlblocks.js";
import { type Measurement, timed, type Workload } from "./types.js";

const BATCH = 5_000;
const COLUMNS = ["id", "name", "score", "created"] as const;

/** W5 copies from `database` into the other server: PostgreSQL → MariaDB or MariaDB → PostgreSQL. */
function targetOf(database: Database): Database {
  return database === "postgres" ? "mariadb" : "postgres";
}

function transferTable(): string {
  return `bench_transfer_${process.env.SQLBLOCKS_BENCH_RUN ?? process.pid}`;
}

type Tuple = [unknown, unknown, unknown, unknown];

/** `($1, $2, $3, $4), …` or `(?, ?, ?, ?), …` for `rows` rows. */
function valuesClause(rows: number, dollar: boolean): string {
  const tuples: string[] = [];
  for (let r = 0; r < rows; r++) {
    const b = r * 4;
    tuples.push(dollar ? `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4})` : "(?, ?, ?, ?)");
  }
  return tuples.join(", ");
}

/** The raw drivers' best way: a server-side cursor/stream on one side, multi-row VALUES in one transaction on the other. */
async function raw(source: Database, rows: number): Promise<Measurement> {
  const sourceUrl = databaseUrl(source, "");
  const targetUrl = databaseUrl(targetOf(source), "");
  const insert = `INSERT INTO ${transferTable()} (${COLUMNS.join(", ")}) VALUES `;
  const pool = pgPool(source === "postgres" ? sourceUrl : targetUrl, 2);
  const maria = mysqlPool(source === "postgres" ? targetUrl : sourceUrl, 2);
  const pgClient = await pool.connect();
  const mariaConnection = await maria.getConnection();
  try {
    return await timed(async () => {
      if (source === "postgres") return pgToMaria(pgClient, mariaConnection, insert, rows);
      return mariaToPg(mariaConnection, pgClient, insert, rows);
    });
  } finally {
    pgClient.release();
    mariaConnection.release();
    await pool.end();
    await maria.end();
  }
}

async function pgToMaria(client: pg.PoolClient, target: PoolConnection, insert: string, rows: number): Promise<number> {
  const cursor = client.query(new Cursor(selectAllSql(rows), [], { rowMode: "array" }));
  let total = 0;
  await target.beginTransaction();
  for (;;) {
    const page = (await cursor.read(BATCH)) as Tuple[];
    if (page.length === 0) break;
    await target.query(insert + valuesClause(page.length, false), page.flat());
    total += page.length;
  }
  await cursor.close();
  await target.commit();
  return total;
}

async function mariaToPg(source: PoolConnection, client: pg.PoolClient, insert: string, rows: number): Promise<number> {
  // mysql2's streaming query: rows arrive as the socket delivers them; pausing the stream
  // while a batch is written applies backpressure to the server.
  const core = source.connection as unknown as CallbackConnection;
  const stream = core.query({ sql: selectAllSql(rows), rowsAsArray: true }).stream({ highWaterMark: BATCH });
  let total = 0;
  let batch: Tuple[] = [];
  await client.query("BEGIN");
  for await (const row of stream as AsyncIterable<Tuple>) {
    batch.push(row);
    if (batch.length === BATCH) {
      await client.query(insert + valuesClause(batch.length, true), batch.flat());
      total += batch.length;
      batch = [];
    }
  }
  if (batch.length > 0) {
    await client.query(insert + valuesClause(batch.length, true), batch.flat());
    total += batch.length;
  }
  await client.query("COMMIT");
  return total;
}

/**
 * Every column as the same canonical text on both servers, joined with `|` (NULL as `<null>`):
 * the id, the name, the score with three decimals, the timestamp to the second (MariaDB's
 * `datetime` keeps no fraction, and a transfer carries JavaScript Dates: milliseconds).
 */
const CANONICAL: Record<"postgres" | "mariadb", string> = {
  postgres: `CONCAT_WS('|', COALESCE(id::text, '<null>'), COALESCE(name, '<null>'), COALESCE(CAST(score AS numeric(20, 3))::text, '<null>'),
    COALESCE(to_char(created, 'YYYY-MM-DD HH24:MI:SS'), '<null>'))`,
  mariadb: `CONCAT_WS('|', COALESCE(CAST(id AS CHAR), '<null>'), COALESCE(name, '<null>'), COALESCE(CAST(CAST(score AS DECIMAL(20, 3)) AS CHAR), '<null>'),
    COALESCE(DATE_FORMAT(created, '%Y-%m-%d %H:%i:%s'), '<null>'))`,
};

/**
 * The row count and a checksum of a table, computed by the server itself: the sum over all
 * rows of the first 60 bits of the MD5 of the row's canonical text (order-free, as a
 * decimal string). The same rows give the same figure on PostgreSQL and MariaDB.
 */
export function checksumSql(database: "postgres" | "mariadb", table: string): string {
  const row = CANONICAL[database];
  return database === "postgres"
    ? `SELECT COUNT(*) AS n, COALESCE(SUM(('x' || SUBSTR(MD5(${row}), 1, 15))::bit(60)::bigint), 0)::text AS checksum FROM ${table}`
    : `SELECT COUNT(*) AS n, CAST(COALESCE(SUM(CAST(CONV(SUBSTR(MD5(${row}), 1, 15), 16, 10) AS UNSIGNED)), 0) AS CHAR) AS checksum FROM ${table}`;
}

/** Counts and checksums `table` on `database` through the raw driver (independent of what is measured). */
async function tableChecksum(database: Database, table: string): Promise<{ rows: number; checksum: string }> {
  const url = databaseUrl(database, "");
  if (database === "postgres") {
    const pool = pgPool(url, 1);
    try {
      const { rows } = await pool.query<{ n: string; checksum: string }>(checksumSql("postgres", table));
      return { rows: Number(rows[0]?.n), checksum: String(rows[0]?.checksum) };
    } finally {
      await pool.end();
    }
  }
  const pool = mysqlPool(url, 1);
  try {
    const [rows] = await pool.query(checksumSql("mariadb", table));
    const first = (rows as Array<{ n: number | string; checksum: string }>)[0];
    return { rows: Number(first?.n), checksum: String(first?.checksum) };
  } finally {
    await pool.end();
  }
}

/** W5: `transfer()` of the read table between PostgreSQL and MariaDB, both ways, against the raw drivers. */
export const transferWorkload: Workload = {
  id: "W5",
  title: "transfer to the other server",
  unit: "rows",
  databases: ["postgres", "mariadb"],
  targetRatio: 0.9,
  // Issue 16: 1,000,000 rows each way within 250 MB, whatever the table's size.
  targetRssMb: 250,
  async prepare({ database, url, sizes }) {
    await ensureRowsTable(url, database, sizes.fetchRows);
    const target = targetOf(database);
    await recreateTable(databaseUrl(target, ""), target, transferTable());
  },
  async cleanup({ database }) {
    await dropTable(databaseUrl(targetOf(database), ""), transferTable());
  },
  async run(variant, { database, url, sizes }) {
    if (variant === "raw") return raw(database, sizes.fetchRows);
    const { SqlConnector, transfer } = await sqlblocks();
    await using from = new SqlConnector({ connectionInfo: url });
    await using to = new SqlConnector({ connectionInfo: databaseUrl(targetOf(database), "") });
    await from.execute("SELECT 1");
    await to.execute("SELECT 1");
    return timed(async () => {
      const result = await transfer({ from, query: selectAllSql(sizes.fetchRows), to, table: transferTable(), batchSize: BATCH });
      return result.rows;
    });
  },
  async verify({ database, sizes }) {
    const target = targetOf(database);
    const [source, copied] = await Promise.all([
      tableChecksum(database, rowsTable(sizes.fetchRows)),
      tableChecksum(target, transferTable()),
    ]);
    if (source.rows !== sizes.fetchRows || copied.rows !== source.rows || copied.checksum !== source.checksum) {
      throw new Error(
        `W5 ${database} → ${target}: the target does not match the source: ` +
          `source ${source.rows} rows, checksum ${source.checksum}; target ${copied.rows} rows, checksum ${copied.checksum}`,
      );
    }
    return `source = target: ${source.rows.toLocaleString("en-US")} rows, checksum ${source.checksum}`;
  },
};
