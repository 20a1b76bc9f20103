import type Database from "better-sqlite3";
import { mysqlPool, pgPool, sqliteDatabase } from "../native.js";
import { dropTable, insertTable, recreateTable } from "./tables.js";
import { type Measurement, type RunContext, timed, type Variant, type Workload } from "./types.js";
import { sqlblocks } from "./sqlblocks.js";

/** Rows per multi-row INSERT, as sqlblocks plans them. */
export const BATCH = 1000;

export interface InsertRow {
  id: number;
  name: string;
  score: number;
  created: Date;
}

export function makeRows(count: number): InsertRow[] {
  const created = new Date("2026-01-01T00:00:00Z");
  return Array.from({ length: count }, (_, i) => ({ id: i + 1, name: `name ${i + 1}`, score: i * 1.5, created }));
}

/** `($1, $2, $3, $4), ($5, …)` for pg, or `(?, ?, ?, ?), …` for the others. */
function valuesClause(rows: number, dollar: boolean): string {
  const tuples: string[] = [];
  for (let r = 0; r < rows; r++) {
    const base = r * 4;
    tuples.push(dollar ? `($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4})` : "(?, ?, ?, ?)");
  }
  return tuples.join(", ");
}

async function raw({ database, url }: RunContext, rows: InsertRow[]): Promise<Measurement> {
  const insert = `INSERT INTO ${insertTable()} (id, name, score, created) VALUES `;
  if (database === "sqlite") {
    const db = sqliteDatabase(url);
    try {
      // The same work as sqlblocks does: multi-row VALUES of BATCH rows, one prepared
      // statement per batch size, all in one transaction.
      const statements = new Map<number, Database.Statement>();
      const statementFor = (size: number) => {
        let statement = statements.get(size);
        if (!statement) {
          statement = db.prepare(insert + valuesClause(size, false));
          statements.set(size, statement);
        }
        return statement;
      };
      const insertAll = db.transaction((all: InsertRow[]) => {
        for (let start = 0; start < all.length; start += BATCH) {
          const batch = all.slice(start, start + BATCH);
          statementFor(batch.length).run(batch.flatMap((r) => [r.id, r.name, r.score, r.created.toISOString()]));
        }
      });
      return await timed(async () => {
        insertAll(rows);
        return rows.length;
      });
    } finally {
      db.close();
    }
  }
  if (database === "postgres") {
    const pool = pgPool(url);
    try {
      const client = await pool.connect();
      try {
        return await timed(async () => {
          await client.query("BEGIN");
          for (let start = 0; start < rows.length; start += BATCH) {
            const batch = rows.slice(start, start + BATCH);
            await client.query(insert + valuesClause(batch.length, true), batch.flatMap((r) => [r.id, r.name, r.score, r.created]));
          }
          await client.query("COMMIT");
          return rows.length;
        });
      } finally {
        client.release();
      }
    } finally {
      await pool.end();
    }
  }
  const pool = mysqlPool(url);
  try {
    const connection = await pool.getConnection();
    try {
      return await timed(async () => {
        await connection.beginTransaction();
        for (let start = 0; start < rows.length; start += BATCH) {
          const batch = rows.slice(start, start + BATCH);
          await connection.query(insert + valuesClause(batch.length, false), batch.flatMap((r) => [r.id, r.name, r.score, r.created]));
        }
        await connection.commit();
        return rows.length;
      });
    } finally {
      connection.release();
    }
  } finally {
    await pool.end();
  }
}

/** W1: executeMany of many rows against the raw driver doing the same work its best way. */
export const executeManyWorkload: Workload = {
  id: "W1",
  title: "executeMany insert",
  unit: "rows",
  databases: ["postgres", "mariadb", "sqlite"],
  targetRatio: 0.9,
  rawMethod: {
    postgres: "pg: multi-row VALUES of 1,000 rows, one transaction",
    mariadb: "mysql2: multi-row VALUES of 1,000 rows, one transaction",
    sqlite: "better-sqlite3: multi-row VALUES of 1,000 rows (prepared once per batch size), one transaction",
  },
  async prepare({ database, url }) {
    await recreateTable(url, database, insertTable());
  },
  async cleanup({ url }) {
    await dropTable(url, insertTable());
  },
  async run(variant: Variant, context) {
    const rows = makeRows(context.sizes.insertRows);
    if (variant === "raw") return raw(context, rows);
    const { SqlConnector } = await sqlblocks();
    await using connector = new SqlConnector({ connectionInfo: context.url });
    await connector.execute("SELECT 1");
    return await timed(async () => {
      await connector.executeMany(`INSERT INTO ${insertTable()} (id, name, score, created) VALUES (:id, :name, :score, :created)`, rows);
      return rows.length;
    });
  },
};
