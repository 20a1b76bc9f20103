import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

export const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const cliBin = path.resolve(packageDir, "../cli/dist/bin.js");
export const fixture = (name: string) => path.join(packageDir, "test", "fixtures", name);
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The PostgreSQL server of the tests (`SQLBLOCKS_TEST_PG_URL`, default the shared `test` database). */
export function testServerUrl(): URL {
  const raw = process.env.SQLBLOCKS_TEST_PG_URL || "postgresql+pg://postgres@127.0.0.1:5432/test";
  return new URL(raw.replace(/^postgres(ql)?(\+[a-z0-9_]+)?:\/\//i, "postgresql://"));
}

/** A cluster of its own: a fresh DBOS system database and application name, a fresh SQLBLOCKS_HOME. */
export interface TestCluster {
  readonly env: NodeJS.ProcessEnv;
  /** The system database, also home of the tests' marker tables. */
  readonly databaseUrl: string;
  readonly databaseName: string;
  /** A URL of the same database with a canary password (ignored by trust auth). */
  readonly blockUrl: string;
  query<R extends pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<R[]>;
  destroy(): Promise<void>;
}

export const CANARY = `canary-S3cret-${randomBytes(6).toString("hex")}`;

export async function createCluster(options: { takeoverAfterMs?: number } = {}): Promise<TestCluster> {
  const server = testServerUrl();
  const suffix = `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
  const databaseName = `sqlblocks_dbos_${suffix}`;
  const admin = new pg.Client({ connectionString: server.href });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${databaseName}`);
  } finally {
    await admin.end();
  }
  const url = new URL(server.href);
  url.pathname = `/${databaseName}`;
  const pool = new pg.Pool({ connectionString: url.href, max: 3 });
  pool.on("error", () => undefined);
  await pool.query(`CREATE TABLE attempts (id serial PRIMARY KEY, run_id text NOT NULL, task int NOT NULL, worker text, at timestamptz NOT NULL DEFAULT clock_timestamp());
    CREATE TABLE effects (run_id text NOT NULL, task int NOT NULL, PRIMARY KEY (run_id, task));
    CREATE TABLE ticks (scheduled_at timestamptz PRIMARY KEY, ran_at timestamptz NOT NULL)`);
  const blockUrl = new URL(url.href);
  blockUrl.password = CANARY;
  const home = mkdtempSync(path.join(os.tmpdir(), "sqlblocks-dbos-"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SQLBLOCKS_HOME: home,
    // One database for the store (schema sqlblocks: blocks, run history, deployments, workers)
    // and for DBOS (schema dbos).
    SQLBLOCKS_STORE_URL: url.href,
    SQLBLOCKS_DBOS_DATABASE_URL: url.href,
    SQLBLOCKS_DBOS_APP: `test-${suffix}`,
    SQLBLOCKS_WORKER_HEARTBEAT_MS: "500",
    SQLBLOCKS_WORKER_TAKEOVER_AFTER_MS: String(options.takeoverAfterMs ?? 4000),
    NODE_NO_WARNINGS: "1",
  };
  return {
    env,
    databaseUrl: url.href,
    databaseName,
    blockUrl: `postgresql+pg://${blockUrl.username}:${CANARY}@${blockUrl.host}${blockUrl.pathname}`,
    async query(sql, values) {
      return (await pool.query(sql, values)).rows;
    },
    async destroy() {
      await pool.end();
      const drop = new pg.Client({ connectionString: server.href });
      await drop.connect();
      try {
        await drop.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
      } finally {
        await drop.end();
      }
    },
  };
}

/** A `sqlblocks worker` process. */
export interface WorkerProcess {
  readonly id: string;
  readonly child: ChildProcess;
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function startWorkerProcess(cluster: TestCluster, id: string, module = fixture("cluster.mjs")): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [cliBin, "worker", module, "--id", id], {
    cwd: packageDir,
    env: { ...cluster.env, SQLBLOCKS_WORKER_ID: id },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 30_000;
  while (!output.includes(`worker ${id} started`)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`worker ${id} did not start:\n${output}`);
    await sleep(50);
  }
  return {
    id,
    child,
    output: () => output,
    async kill(signal: NodeJS.Signals = "SIGKILL") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Runs the CLI to its end. */
export function cli(cluster: TestCluster, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliBin, ...args], { cwd: packageDir, env: { ...cluster.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("exit", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Polls `check` until it returns a value other than `undefined`/`false`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
