import { mysqlPool, pgPool, sqliteDatabase } from "../native.js";
import { ensureRowsTable, rowsTable } from "./tables.js";
import { type RunContext, timed, type Workload } from "./types.js";
import { sqlblocks } from "./sqlblocks.js";

/** Lookup keys spread over the table, the same for both sides. */
function keys({ sizes }: RunContext): number[] {
  return Array.from({ length: sizes.lookups }, (_, i) => ((i * 7919) % sizes.lookupTableRows) + 1);
}

/**
 * Untimed lookups each side runs first, over keys the timed pass does not use: W4 measures
 * point lookups in a running process, where the JIT has compiled both sides' code (a fresh
 * process's first lookups, compilation included, are C1's subject).
 */
const WARM_UP = 2_000;

/**
 * Warm-up keys: the same for both sides and none of the timed pass's keys (a second
 * `fetchOne` of the same statement and parameters pages on, as in Python, so a key looked
 * up in the warm-up would find nothing in the timed pass).
 */
function warmUpKeys(context: RunContext): number[] {
  const timed = new Set(keys(context));
  const warm: number[] = [];
  for (let id = 1; id <= context.sizes.lookupTableRows && warm.length < WARM_UP; id++) if (!timed.has(id)) warm.push(id);
  return warm;
}

/** W4: fetchOne point lookups by primary key against the raw driver's query. */
export const fetchOneWorkload: Workload = {
  id: "W4",
  title: "fetchOne point lookups",
  unit: "ops",
  databases: ["postgres", "mariadb", "sqlite"],
  targetRatio: 0.9,
  rawMethod: {
    postgres: "pg: `pool.query` (no cursor); both sides run 2,000 untimed lookups first",
    mariadb: "mysql2: `pool.query` (no cursor); both sides run 2,000 untimed lookups first",
    sqlite: "better-sqlite3: synchronous `stmt.get` (no cursor); both sides run 2,000 untimed lookups first",
  },
  async prepare({ database, url, sizes }) {
    await ensureRowsTable(url, database, sizes.lookupTableRows);
  },
  async run(variant, context) {
    const ids = keys(context);
    const warm = warmUpKeys(context);
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
      for (const id of warm) check(await connector.fetchOne(sql, { id }));
      return await timed(async () => {
        for (const id of ids) check(await connector.fetchOne(sql, { id }));
        return ids.length;
      });
    }
    if (database === "postgres") {
      const pool = pgPool(url);
      try {
        await pool.query("SELECT 1");
        const sql = `SELECT id, name, score, created FROM ${table} WHERE id = $1`;
        for (const id of warm) check((await pool.query(sql, [id])).rows[0]);
        return await timed(async () => {
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
        for (const id of warm) check(((await pool.query(sql, [id]))[0] as unknown[])[0]);
        return await timed(async () => {
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
      for (const id of warm) check(statement.get(id));
      return await timed(async () => {
        for (const id of ids) check(statement.get(id));
        return ids.length;
      });
    } finally {
      db.close();
    }
  },
};
