import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { SqlConnector } from "@sqlblocks/core";
import { afterAll } from "vitest";

export const PG_URL = process.env.SQLBLOCKS_TEST_PG_URL ?? "postgresql+pg://postgres@127.0.0.1:5432/test";
export const MYSQL_URL = process.env.SQLBLOCKS_TEST_MYSQL_URL ?? "mariadb+mysql2://root@127.0.0.1:3306/test";

/** A temporary folder for this test file, removed afterwards. */
export function tempFolder(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sqlblocks-files-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A short unique suffix so that concurrent runs never share a table. */
export const suffix = `${process.pid}_${Date.now().toString(36)}`;

/** Opens a connector, or says clearly why the server's tests cannot run. */
export async function reachable(url: string): Promise<SqlConnector | undefined> {
  const connector = new SqlConnector({ connectionInfo: url, connectTimeoutMs: 5_000 });
  try {
    await connector.execute("SELECT 1");
    return connector;
  } catch (error) {
    await connector.close();
    if (process.env.CI) throw error;
    console.warn(`SKIPPED: no server at ${new URL(url.replace(/^[^:]+/, "x")).host} (${(error as Error).message})`);
    return undefined;
  }
}
