/**
 * The block store on each engine: block load (warm) and task overhead with persisted run
 * states, on the shared PostgreSQL store and on each embedded SQLite engine forced with
 * SQLBLOCKS_STORE_ENGINE. node:sqlite workloads are listed only where the runtime has it
 * (Node 22.13+), so on Node 20 the bench shows better-sqlite3 alone.
 */
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BlockStore, SqlConnector, type StoreEngine } from "@sqlblocks/core";
import { flow, task } from "@sqlblocks/flow";
import pg from "pg";
import { timed, type Workload } from "./types.js";

/** One schema per bench run, dropped by cleanup. */
const schema = () => `bench_store_${process.env.SQLBLOCKS_BENCH_RUN ?? process.pid}`;
const plainUrl = (url: string) => url.replace(/^[^:]+:/, "postgresql:");
const KEY = Buffer.alloc(32, 11).toString("base64");

async function dropSchema(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: plainUrl(url) });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema()} CASCADE`);
  } finally {
    await client.end();
  }
}

function blockLoad(id: string, engine: StoreEngine, targetLatencyMs: number): Workload {
  const postgres = engine === "postgres";
  return {
    id,
    title: `block load (warm), ${engine} store`,
    unit: "ops",
    databases: [postgres ? "postgres" : "sqlite"],
    targetLatencyMs,
    variants: ["sqlblocks"],
    async prepare() {},
    async cleanup(context) {
      if (postgres) await dropSchema(context.url);
    },
    async run(_variant, { sizes, url }) {
      const home = mkdtempSync(path.join(os.tmpdir(), "sqlblocks-bench-"));
      const env = { SQLBLOCKS_ENCRYPTION_KEY: KEY };
      const store = await BlockStore.open(
        postgres ? { home, engine, url: plainUrl(url), schema: schema(), env } : { home, engine, env },
      );
      try {
        await new SqlConnector({
          connectionInfo: { driver: "postgresql+pg", host: "db.internal", database: "warehouse", username: "app", password: "s3cret" },
        }).save("warehouse", { store, overwrite: true });
        for (let i = 0; i < 20; i++) await SqlConnector.load("warehouse", { store });
        return await timed(async () => {
          for (let i = 0; i < sizes.blockLoads; i++) await SqlConnector.load("warehouse", { store });
          return sizes.blockLoads;
        });
      } finally {
        await store.close();
      }
    },
  };
}

function taskOverhead(id: string, engine: StoreEngine, targetLatencyMs: number): Workload {
  const postgres = engine === "postgres";
  return {
    id,
    title: `task overhead, ${engine} store`,
    unit: "ops",
    databases: [postgres ? "postgres" : "sqlite"],
    targetLatencyMs,
    async prepare() {},
    async cleanup(context) {
      if (postgres) await dropSchema(context.url);
    },
    async run(variant, { sizes, url }) {
      process.env.SQLBLOCKS_HOME = mkdtempSync(path.join(os.tmpdir(), "sqlblocks-bench-"));
      process.env.SQLBLOCKS_STORE_ENGINE = engine;
      process.env.SQLBLOCKS_ENCRYPTION_KEY = KEY;
      if (postgres) {
        process.env.SQLBLOCKS_STORE_URL = plainUrl(url);
        process.env.SQLBLOCKS_STORE_SCHEMA = schema();
      }
      const work = async (i: number) => i * 2;
      if (variant === "raw") {
        return await timed(async () => {
          let sum = 0;
          for (let i = 0; i < sizes.tasks; i++) sum += await work(i);
          return sum >= 0 ? sizes.tasks : 0;
        });
      }
      const double = task("double", work);
      const run = flow("bench-tasks", async (n: number) => {
        let sum = 0;
        for (let i = 0; i < n; i++) sum += await double(i);
        return sum;
      });
      await run(1);
      return await timed(async () => {
        await run(sizes.tasks);
        return sizes.tasks;
      });
    },
  };
}

function hasNodeSqlite(): boolean {
  try {
    return Boolean((process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule?.("node:sqlite"));
  } catch {
    return false;
  }
}

/** B2/T2: the PostgreSQL store; B3/T3: better-sqlite3; B4/T4: node:sqlite (where available). */
export const storeEngineWorkloads: readonly Workload[] = [
  blockLoad("B2", "postgres", 2),
  taskOverhead("T2", "postgres", 1),
  blockLoad("B3", "better-sqlite3", 1),
  taskOverhead("T3", "better-sqlite3", 0.5),
  ...(hasNodeSqlite() ? [blockLoad("B4", "node:sqlite", 1), taskOverhead("T4", "node:sqlite", 0.5)] : []),
];
