import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { BlockStore, parseConnectionUrl, SqlConnector } from "@sqlblocks/core";
import type { Workload } from "./types.js";

const run = promisify(execFile);
const SQLBLOCKS = fileURLToPath(new URL("./cold/sqlblocks.js", import.meta.url));
const RAW = fileURLToPath(new URL("./cold/raw.js", import.meta.url));
const BLOCK = "c1-cold";
const SQL = "SELECT 1 AS one";

/** The store the sqlblocks side loads its block from: one per benchmark run. */
const home = path.join(os.tmpdir(), `sqlblocks-bench-c1-${process.env.SQLBLOCKS_BENCH_RUN ?? process.pid}`);

/** A pg connection string for the raw side, from the same URL. */
function pgConnectionString(url: string): string {
  const c = parseConnectionUrl(url);
  const auth = c.username ? `${encodeURIComponent(c.username)}${c.password ? `:${encodeURIComponent(c.password.reveal())}` : ""}@` : "";
  return `postgresql://${auth}${c.host ?? "127.0.0.1"}:${c.port ?? 5432}/${c.database ?? ""}`;
}

/**
 * C1: cold start. A fresh Node process loads a saved block and fetches one row from
 * PostgreSQL, against a fresh process that imports pg and does the same. Whole-process wall
 * time (spawn to exit) and that process's peak RSS; the goal is ≤ 2× the raw time.
 */
export const coldStartWorkload: Workload = {
  id: "C1",
  title: "cold start: load block + fetchOne",
  unit: "starts",
  databases: ["postgres"],
  targetRatio: 0.5,
  async prepare({ url }) {
    rmSync(home, { recursive: true, force: true });
    const store = await BlockStore.open({ home, env: {} });
    try {
      await new SqlConnector({ connectionInfo: url }).save(BLOCK, { store, overwrite: true });
    } finally {
      await store.close();
    }
  },
  async cleanup() {
    rmSync(home, { recursive: true, force: true });
  },
  async run(variant, { url }) {
    const args = variant === "sqlblocks" ? [SQLBLOCKS, BLOCK, SQL] : [RAW, pgConnectionString(url), SQL];
    // NODE_OPTIONS and pnpm's NODE_PATH would change what a cold process loads.
    const env: NodeJS.ProcessEnv = { ...process.env, SQLBLOCKS_HOME: home, NODE_OPTIONS: "" };
    // The block was saved with the key file beside the store.
    delete env.SQLBLOCKS_ENCRYPTION_KEY;
    const started = performance.now();
    const { stdout } = await run(process.execPath, args, { env, maxBuffer: 1 << 20 });
    const ms = performance.now() - started;
    const { maxRssKb } = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as { maxRssKb: number };
    return { count: 1, ms, maxRssKb };
  },
};
