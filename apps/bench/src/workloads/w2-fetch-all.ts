import { pgPool } from "../native.js";
import { ensureRowsTable, selectAllSql } from "./tables.js";
import { timed, type Workload } from "./types.js";
import { sqlblocks } from "./sqlblocks.js";


/** W2: fetchAll of a large result against `pool.query`. */
export const fetchAllWorkload: Workload = {
  id: "W2",
  title: "fetchAll",
  unit: "rows",
  databases: ["postgres"],
  targetRatio: 0.9,
  targetRss: 1.1,
  rawMethod: "pg: one `pool.query` of the whole result",
  async prepare({ database, url, sizes }) {
    await ensureRowsTable(url, database, sizes.fetchRows);
  },
  async run(variant, { url, sizes }) {
    if (variant === "raw") {
      const pool = pgPool(url);
      try {
        await pool.query("SELECT 1");
        return await timed(async () => (await pool.query(selectAllSql(sizes.fetchRows))).rows.length);
      } finally {
        await pool.end();
      }
    }
    const { SqlConnector } = await sqlblocks();
    await using connector = new SqlConnector({ connectionInfo: url });
    await connector.execute("SELECT 1");
    return await timed(async () => (await connector.fetchAll(selectAllSql(sizes.fetchRows))).length);
  },
};
