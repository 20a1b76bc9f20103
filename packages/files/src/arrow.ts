import { createRequire } from "node:module";
import path from "node:path";
import { type Params, type Row, SqlBlocksError, type SqlConnector } from "@sqlblocks/core";

/** `apache-arrow` is an optional peer: install it to build Arrow tables. */
export class ArrowNotInstalledError extends SqlBlocksError {
  constructor(cause: unknown) {
    super("SQLBLOCKS_ARROW_NOT_INSTALLED", "fetchArrow needs apache-arrow: install it beside @sqlblocks/files (npm install apache-arrow)", {
      cause,
    });
  }
}

/**
 * Runs a query and returns its rows as an Apache Arrow `Table` (held in memory, column by
 * column), for callers that hand data to Arrow-based tools. Needs the optional peer
 * `apache-arrow`, resolved from the application.
 *
 * @example
 * const table = await fetchArrow(db, "SELECT id, total FROM orders");
 * console.log(table.numRows, table.getChild("total")?.toArray());
 */
export async function fetchArrow(connector: SqlConnector, sql: string, params?: Params): Promise<unknown> {
  let arrow: { tableFromJSON: (rows: Row[]) => unknown };
  try {
    const require = createRequire(path.join(process.cwd(), "noop.js"));
    const resolved = (() => {
      try {
        return require.resolve("apache-arrow");
      } catch {
        return "apache-arrow";
      }
    })();
    arrow = (await import(resolved)) as typeof arrow;
  } catch (error) {
    throw new ArrowNotInstalledError(error);
  }
  const rows: Row[] = [];
  for await (const chunk of connector.stream(sql, params, { chunkSize: 10_000 })) rows.push(...chunk);
  return arrow.tableFromJSON(rows);
}
