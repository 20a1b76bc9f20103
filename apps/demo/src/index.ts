import { realpathSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { closeDefaultStores, SqlConnector } from "@sqlblocks/core";
import { type Customer, quickstartFlow } from "./quickstart.js";

export { type Customer, fetchData, quickstartFlow, setupTable } from "./quickstart.js";

/** The block name used when `SQLBLOCKS_DEMO_BLOCK` is not set. */
export const DEFAULT_BLOCK_NAME = "my-sqlite-block";

/** What the demo connects to, from the environment. */
export interface DemoSettings {
  blockName: string;
  /**
   * `DEMO_URL`, or a SQLite file at `SQLITE_DB_PATH` (default `demo.db`), made absolute so
   * that the saved block finds the same file from any directory (e.g. `sqlblocks block test`).
   */
  url: string;
}

/** Reads `SQLBLOCKS_DEMO_BLOCK`, `DEMO_URL` and `SQLITE_DB_PATH`. */
export function demoSettings(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): DemoSettings {
  return {
    blockName: env.SQLBLOCKS_DEMO_BLOCK || DEFAULT_BLOCK_NAME,
    url: env.DEMO_URL || `sqlite+better-sqlite3:///${path.resolve(cwd, env.SQLITE_DB_PATH || "demo.db")}`,
  };
}

/**
 * Saves the connector block (replacing an older one), runs the quickstart flow and prints
 * what it fetched. No driver is registered here: core finds `@sqlblocks/driver-sqlite`
 * (or driver-postgres / driver-mysql for `DEMO_URL`) among this app's dependencies.
 */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<Customer[]> {
  const { blockName, url } = demoSettings(env);
  await new SqlConnector({ connectionInfo: url }).save(blockName, { overwrite: true });
  const rows = await quickstartFlow(blockName);
  console.log("Fetched Data:");
  for (const row of rows) console.log(row);
  return rows;
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  try {
    await main();
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  } finally {
    await closeDefaultStores();
  }
}
