import { mysqlPool, pgPool, sqliteDatabase } from "../native.js";
import { ensureRowsTable, rowsTable } from "./tables.js";
import { type Measurement, type RunContext, timed, type Workload } from "./types.js";
import { sqlblocks } from "./sqlblocks.js";

/**
 * Timed passes over the keys in each process, on both sides; the fastest counts. The first
 * pass carries the JIT's compilation of either side's code (a fresh process's first lookups
 * are C1's subject), the others show point lookups in a running process, as O1 measures them.
 */
const PASSES = 3;

/** Lookup keys spread over the table, the same for both sides. */
function keys({ sizes }: RunContext): number[] {
  return Array.from({ length: sizes.lookups }, (_, i) => ((i * 7919) % sizes.lookupTableRows) + 1);
}

/** The fastest of {@link PASSES} passes; `beforePass` runs untimed before each. */
async function fastestPass(pass: () => Promise<number>, beforePass?: () => Promise<void>): Promise<Measurement> {
  let best: Measurement | undefined;
  for (let i = 0; i < PASSES; i++) {
    await beforePass?.();
    const measured = await timed(pass);
    if (!best || measured.ms < best.ms) best = measured;
  }
  return best!;
}

/** W4: fetchOne point lookups by primary key against the raw driver's query. */
export const fetchOneWorkload: Workload = {
  id: "W4",
  title: "fetchOne point lookups",
  unit: "ops",
  databases: ["postgres", "mariadb", "sqlite"],
  targetRatio: 0.9,
  // Issue 14: an async call against a synchronous `stmt.get`; 0.9× stays the goal to reach for.
  targetRatioFor: { sqlite: 0.6 },
  rawMethod: {
    postgres: "pg: `pool.query` (no cursor); each side's fastest of 3 passes",
    mariadb: "mysql2: `pool.query` (no cursor); each side's fastest of 3 passes",
    sqlite: "better-sqlite3: synchronous `stmt.get` (no cursor); each side's fastest of 3 passes",
  },
  async prepare({ database, url, sizes }) {
    await ensureRowsTable(url, database, sizes.lookupTableRows);
  },
  async run(variant, context) {
    const ids = keys(context);
    const { database, url } = context;
    const table = rowsTable(context.sizes.lookupTableRows);
    const check = (row: unknown) => {
      if (!row) throw new Error("lookup found nothing");
    };
    if (variant === "sqlblocks") {
      const { SqlConnector } = await sqlblocks();
      await using connector = new SqlConnector({ connectionInfo: url });
      await connector.execute("SELECT 1");
      const sql = `SELECT id, name, score, created FROM ${table} WHERE id = :id`;
      return await fastestPass(
        async () => {
          for (const id of ids) check(await connector.fetchOne(sql, { id }));
          return ids.length;
        },
        // fetchOne pages on, as in Python: a key read out stays read until the cursors are reset.
        () => connector.resetConnections(),
      );
    }
    if (database === "postgres") {
      const pool = pgPool(url);
      try {
        await pool.query("SELECT 1");
        const sql = `SELECT id, name, score, created FROM ${table} WHERE id = $1`;
        return await fastestPass(async () => {
          for (const id of ids) check((await pool.query(sql, [id])).rows[0]);
          return ids.length;
        });
      } finally {
        await pool.end();
      }
    }
    if (database === "mariadb") {
      const pool = mysqlPool(url);
      try {
        await pool.query("SELECT 1");
        const sql = `SELECT id, name, score, created FROM ${table} WHERE id = ?`;
        return await fastestPass(async () => {
          for (const id of ids) check(((await pool.query(sql, [id]))[0] as unknown[])[0]);
          return ids.length;
        });
      } finally {
        await pool.end();
      }
    }
    const db = sqliteDatabase(url);
    try {
      const statement = db.prepare(`SELECT id, name, score, created FROM ${table} WHERE id = ?`);
      return await fastestPass(async () => {
        for (const id of ids) check(statement.get(id));
        return ids.length;
      });
    } finally {
      db.close();
    }
  },
};
