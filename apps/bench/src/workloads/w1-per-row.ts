import { sqliteDatabase } from "../native.js";
import { dropTable, insertTable, recreateTable } from "./tables.js";
import { timed, type Workload } from "./types.js";
import { makeRows } from "./w1-execute-many.js";
import { sqlblocks } from "./sqlblocks.js";

/**
 * W1 on SQLite once more, against the raw driver's per-row way (one prepared single-row
 * `stmt.run` per row in one transaction): the comparison W1 used to make. For reference only
 * — W1 itself compares with raw multi-row VALUES, the same work sqlblocks does.
 */
export const executeManyPerRowWorkload: Workload = {
  id: "W1-row",
  title: "executeMany insert vs raw per-row stmt.run (reference)",
  unit: "rows",
  databases: ["sqlite"],
  rawMethod: "better-sqlite3: one single-row prepared statement run per row, one transaction",
  async prepare({ database, url }) {
    await recreateTable(url, database, insertTable());
  },
  async cleanup({ url }) {
    await dropTable(url, insertTable());
  },
  async run(variant, { url, sizes }) {
    const rows = makeRows(sizes.insertRows);
    const sql = `INSERT INTO ${insertTable()} (id, name, score, created) VALUES`;
    if (variant === "raw") {
      const db = sqliteDatabase(url);
      try {
        const statement = db.prepare(`${sql} (?, ?, ?, ?)`);
        const insertAll = db.transaction((all: typeof rows) => {
          for (const row of all) statement.run(row.id, row.name, row.score, row.created.toISOString());
        });
        return await timed(async () => {
          insertAll(rows);
          return rows.length;
        });
      } finally {
        db.close();
      }
    }
    const { SqlConnector } = await sqlblocks();
    await using connector = new SqlConnector({ connectionInfo: url });
    await connector.execute("SELECT 1");
    return await timed(async () => {
      await connector.executeMany(`${sql} (:id, :name, :score, :created)`, rows);
      return rows.length;
    });
  },
};
