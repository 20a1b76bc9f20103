import Cursor from "pg-cursor";
import { pgPool } from "../native.js";
import { ensureRowsTable, selectAllSql } from "./tables.js";
import { timed, type Workload } from "./types.js";
import { sqlblocks } from "./sqlblocks.js";


/** W3: paging through a large result with fetchMany against a raw pg-cursor. */
export const fetchManyWorkload: Workload = {
  id: "W3",
  title: "fetchMany paging",
  unit: "rows",
  databases: ["postgres"],
  targetRatio: 1.0,
  targetRss: 1.2,
  rawMethod:
    "pg-cursor `read(pageSize)` until empty — differs in method: one page in flight at a time, while sqlblocks keeps two pages in flight (its own portal cursor)",
  async prepare({ database, url, sizes }) {
    await ensureRowsTable(url, database, sizes.fetchRows);
  },
  async run(variant, { url, sizes }) {
    if (variant === "raw") {
      const pool = pgPool(url);
      const client = await pool.connect();
      try {
        return await timed(async () => {
          const cursor = client.query(new Cursor(selectAllSql(sizes.fetchRows)));
          let total = 0;
          for (;;) {
            const rows = await cursor.read(sizes.pageSize);
            total += rows.length;
            if (rows.length === 0) break;
          }
          await cursor.close();
          return total;
        });
      } finally {
        client.release();
        await pool.end();
      }
    }
    const { SqlConnector } = await sqlblocks();
    await using connector = new SqlConnector({ connectionInfo: url });
    await connector.execute("SELECT 1");
    return await timed(async () => {
      let total = 0;
      for (;;) {
        const rows = await connector.fetchMany(selectAllSql(sizes.fetchRows), {}, sizes.pageSize);
        total += rows.length;
        if (rows.length === 0) break;
      }
      return total;
    });
  },
};
