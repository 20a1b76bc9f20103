import { SqlConnector, transfer } from "@sqlblocks/core";
import type { Connection as CallbackConnection } from "mysql2";
import type { PoolConnection } from "mysql2/promise";
import type pg from "pg";
import Cursor from "pg-cursor";
import { type Database, databaseUrl } from "../config.js";
import { mysqlPool, pgPool } from "../native.js";
import { dropTable, ensureRowsTable, recreateTable, selectAllSql } from "./tables.js";
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

/** W5: `transfer()` of the read table between PostgreSQL and MariaDB, both ways, against the raw drivers. */
export const transferWorkload: Workload = {
  id: "W5",
  title: "transfer to the other server",
  unit: "rows",
  databases: ["postgres", "mariadb"],
  targetRatio: 0.9,
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
    await using from = new SqlConnector({ connectionInfo: url });
    await using to = new SqlConnector({ connectionInfo: databaseUrl(targetOf(database), "") });
    await from.execute("SELECT 1");
    await to.execute("SELECT 1");
    return timed(async () => {
      const result = await transfer({ from, query: selectAllSql(sizes.fetchRows), to, table: transferTable(), batchSize: BATCH });
      return result.rows;
    });
  },
};
