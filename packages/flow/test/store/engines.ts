/**
 * The store engines the contract suite runs against, and how to open a fresh store on each.
 * An engine this runtime lacks is skipped with a visible reason (node:sqlite on Node 20);
 * PostgreSQL is required when CI=true.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { BlockStore, type StoreEngine } from "@sqlblocks/core";
import pg from "pg";

export const PG_URL = (process.env.SQLBLOCKS_TEST_PG_URL ?? "postgresql+pg://postgres@127.0.0.1:5432/test").trim();

/** One engine under test. */
export interface EngineCase {
  engine: StoreEngine;
  /** Why it cannot run here, or undefined. */
  unavailable: string | undefined;
  /** A fresh, empty store location: call `open` on it as often as needed (several processes' view). */
  location(): StoreLocation;
}

/** One store location: opening it again gives another connection to the same store. */
export interface StoreLocation {
  engine: StoreEngine;
  home: string;
  schema?: string;
  env: NodeJS.ProcessEnv;
  open(): Promise<BlockStore>;
  /** Removes what the tests created (PostgreSQL: the schema). */
  drop(): Promise<void>;
}

const KEY = randomBytes(32).toString("base64");

function sqliteLocation(engine: StoreEngine): StoreLocation {
  const home = mkdtempSync(path.join(os.tmpdir(), `sqlblocks-contract-${engine.replace(":", "-")}-`));
  const env = { SQLBLOCKS_ENCRYPTION_KEY: KEY };
  return { engine, home, env, open: () => BlockStore.open({ home, engine, env }), drop: async () => {} };
}

function postgresLocation(): StoreLocation {
  const home = mkdtempSync(path.join(os.tmpdir(), "sqlblocks-contract-pg-"));
  const schema = `contract_${process.pid}_${randomBytes(4).toString("hex")}`;
  const env = { SQLBLOCKS_ENCRYPTION_KEY: KEY };
  const open = () => BlockStore.open({ home, engine: "postgres", url: PG_URL, schema, env });
  return {
    engine: "postgres",
    home,
    schema,
    env,
    open,
    drop: async () => {
      // Straight through pg: a store the test made unopenable (newer schema) is dropped too.
      const client = new pg.Client({ connectionString: PG_URL.replace(/^[^:]+:/, "postgresql:") });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

function nodeSqliteMissing(): string | undefined {
  const getBuiltin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  try {
    return getBuiltin?.("node:sqlite") ? undefined : `node:sqlite is not available on Node ${process.version}`;
  } catch {
    return `node:sqlite is not available on Node ${process.version}`;
  }
}

/** Whether the test PostgreSQL answers on its port (the suite skips visibly when not, fails under CI). */
async function postgresMissing(): Promise<string | undefined> {
  const url = new URL(PG_URL.replace(/^[^:]+:/, "http:"));
  const reachable = await new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: url.hostname || "127.0.0.1", port: Number(url.port || 5432) });
    socket.setTimeout(2000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("connect", () => {
      socket.end();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
  if (reachable) return undefined;
  if (process.env.CI === "true") throw new Error(`PostgreSQL at ${url.host} is not reachable and CI=true`);
  return `PostgreSQL at ${url.host} is not reachable (set SQLBLOCKS_TEST_PG_URL)`;
}

export const ENGINES: EngineCase[] = [
  { engine: "node:sqlite", unavailable: nodeSqliteMissing(), location: () => sqliteLocation("node:sqlite") },
  { engine: "better-sqlite3", unavailable: undefined, location: () => sqliteLocation("better-sqlite3") },
  { engine: "postgres", unavailable: await postgresMissing(), location: postgresLocation },
];
