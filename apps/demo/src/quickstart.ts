import { SqlConnector } from "@sqlblocks/core";
import { flow, getRunLogger, task } from "@sqlblocks/flow";

/** A row of the demo's `customers` table. */
export interface Customer extends Record<string, unknown> {
  name: string;
  address: string;
}

/**
 * Creates `customers` (portable SQL: SQLite, PostgreSQL, MySQL/MariaDB), empties it so that
 * reruns show the same three customers, then inserts Marvin with `execute` and Ford and
 * Unknown with `executeMany`. The block is loaded by name and closed when the task ends.
 */
export const setupTable = task("setupTable", async (blockName: string): Promise<void> => {
  await using connector = await SqlConnector.load(blockName);
  await connector.execute("CREATE TABLE IF NOT EXISTS customers (name varchar(255), address varchar(255))");
  await connector.execute("DELETE FROM customers");
  await connector.execute("INSERT INTO customers (name, address) VALUES (:name, :address)", {
    name: "Marvin",
    address: "Highway 42",
  });
  await connector.executeMany("INSERT INTO customers (name, address) VALUES (:name, :address)", [
    { name: "Ford", address: "Highway 42" },
    { name: "Unknown", address: "Highway 42" },
  ]);
});

/**
 * Pages through `customers` two rows at a time: repeated `fetchMany` calls with the same
 * query continue where the last one stopped, until a call returns no rows.
 */
export const fetchData = task("fetchData", async (blockName: string): Promise<Customer[]> => {
  const allRows: Customer[] = [];
  await using connector = await SqlConnector.load(blockName);
  while (true) {
    const newRows = await connector.fetchMany<Customer>("SELECT * FROM customers", {}, 2);
    if (newRows.length === 0) break;
    getRunLogger().info("fetched a page of %d rows", newRows.length);
    allRows.push(...newRows);
  }
  return allRows;
});

/** The quickstart flow: set up the table, then fetch its rows. */
export const quickstartFlow = flow("quickstart", async (blockName: string): Promise<Customer[]> => {
  await setupTable(blockName);
  return await fetchData(blockName);
});
