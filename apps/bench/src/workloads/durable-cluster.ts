import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DBOS, DBOSClient } from "@dbos-inc/dbos-sdk";
import { SqlConnector } from "@sqlblocks/core";
import { RUN_WORKFLOW } from "@sqlblocks/dbos";
import pg from "pg";
import { POINT_ROWS, POINTS_TABLE } from "./durable-deployments.js";

const cliBin = path.join(path.dirname(createRequire(import.meta.url).resolve("sqlblocks")), "bin.js");
const workerModule = fileURLToPath(new URL("./durable-deployments.js", import.meta.url));
/** How long held runs would wait if nobody released them. */
const HOLD_SECONDS = 24 * 3600;
/** How far ahead of the release call held runs become startable (more than releasing 1,000 takes). */
const RELEASE_AHEAD_MS = 1500;

/** A cluster of its own for one measurement: fresh DBOS database, application and run history. */
export class BenchCluster {
  readonly env: NodeJS.ProcessEnv;
  readonly #server: string;
  readonly #database: string;
  readonly #workers: ChildProcess[] = [];
  #client: DBOSClient | undefined;
  #durable = true;

  constructor(serverUrl: string) {
    const suffix = `${process.pid}_${randomBytes(3).toString("hex")}`;
    this.#server = serverUrl.replace(/^postgres(ql)?(\+[a-z0-9_]+)?:\/\//i, "postgresql://");
    this.#database = `sqlblocks_bench_dbos_${suffix}`;
    const url = new URL(this.#server);
    url.pathname = `/${this.#database}`;
    this.env = {
      ...process.env,
      SQLBLOCKS_HOME: mkdtempSync(path.join(os.tmpdir(), "sqlblocks-bench-dbos-")),
      SQLBLOCKS_DBOS_DATABASE_URL: url.href,
      SQLBLOCKS_DBOS_APP: `bench_${suffix}`,
      SQLBLOCKS_STORE_URL: "",
      SQLBLOCKS_LOGGING_LEVEL: "WARNING",
    };
  }

  get appVersion(): string {
    return `${this.env.SQLBLOCKS_DBOS_APP}@1`;
  }

  /** Creates the DBOS database, the points table and the block the flows use (in this process's env). */
  async setUp(blockUrl: string, options: { durable?: boolean } = {}): Promise<void> {
    Object.assign(process.env, { SQLBLOCKS_HOME: this.env.SQLBLOCKS_HOME, SQLBLOCKS_STORE_URL: "", SQLBLOCKS_LOGGING_LEVEL: "WARNING" });
    this.#durable = options.durable ?? true;
    if (this.#durable) await DBOS.migrate(this.env.SQLBLOCKS_DBOS_DATABASE_URL!);
    const db = new SqlConnector({ connectionInfo: blockUrl });
    try {
      await db.execute(`CREATE TABLE IF NOT EXISTS ${POINTS_TABLE} (id integer PRIMARY KEY, v text NOT NULL)`);
      await db.execute(`INSERT INTO ${POINTS_TABLE} (id, v) SELECT g, 'value ' || g FROM generate_series(1, ${POINT_ROWS}) g ON CONFLICT DO NOTHING`);
      await db.save("bench-pg", { overwrite: true });
    } finally {
      await db.close();
    }
    if (!this.#durable) return;
    this.#client = await DBOSClient.create({ systemDatabaseUrl: this.env.SQLBLOCKS_DBOS_DATABASE_URL!, applicationName: this.env.SQLBLOCKS_DBOS_APP!, systemDatabasePoolSize: 4 });
  }

  /**
   * Enqueues runs straight on the queue (no worker needs to be up yet). Held runs wait
   * (DBOS's DELAYED state) until {@link release}, so that workers can start first.
   */
  async enqueue(count: number, parameters: (index: number) => Record<string, unknown>, options: { held?: boolean } = {}): Promise<string[]> {
    const ids = Array.from({ length: count }, () => randomUUID());
    const hold = options.held ? { delaySeconds: HOLD_SECONDS } : {};
    for (let start = 0; start < count; start += 25) {
      await Promise.all(
        ids.slice(start, start + 25).map((workflowID, offset) =>
          this.#client!.enqueue(
            { workflowName: RUN_WORKFLOW, queueName: "bench-points", workflowID, appVersion: this.appVersion, ...hold },
            "bench-points",
            parameters(start + offset),
          ),
        ),
      );
    }
    return ids;
  }

  /**
   * Makes held runs startable, all at the same moment: one release time a little ahead,
   * so that DBOS (which moves due runs to the queue once a second) cannot move half of them
   * while the rest are still being released and let the workers run dry in between.
   */
  async release(ids: readonly string[]): Promise<void> {
    const at = Date.now() + RELEASE_AHEAD_MS;
    for (let start = 0; start < ids.length; start += 25) {
      await Promise.all(ids.slice(start, start + 25).map((id) => this.#client!.setWorkflowDelay(id, { delayUntilEpochMS: at })));
    }
    if (Date.now() > at) process.stderr.write(`releasing ${ids.length} held runs took longer than ${RELEASE_AHEAD_MS} ms: the drain may start unevenly\n`);
  }

  /** Starts `count` worker processes and waits until each has started. */
  async startWorkers(count: number): Promise<void> {
    await Promise.all(
      Array.from({ length: count }, (_, index) => {
        const id = `bench-w${index + 1}`;
        const child = spawn(process.execPath, ["--no-deprecation", cliBin, "worker", workerModule, "--id", id], { env: this.env, stdio: ["ignore", "ignore", "pipe"] });
        this.#workers.push(child);
        return new Promise<void>((resolve, reject) => {
          let output = "";
          child.stderr!.on("data", (chunk: Buffer) => {
            output += chunk.toString();
            if (output.includes(`worker ${id} started`)) resolve();
          });
          child.once("exit", (code) => reject(new Error(`worker ${id} exited (${code}):\n${output}`)));
        });
      }),
    );
  }

  /**
   * Waits until every run succeeded and returns the drain window from the DBOS records:
   * first dequeue to last completion.
   */
  async drained(ids: readonly string[], timeoutMs = 600_000): Promise<{ ms: number; workers: number }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const statuses = await this.#client!.listWorkflows({ workflowIDs: [...ids], loadInput: false, loadOutput: false });
      const failed = statuses.find((s) => s.status === "ERROR" || s.status === "CANCELLED");
      if (failed) throw new Error(`durable run ${failed.workflowID} ended ${failed.status}: ${String(failed.error)}`);
      if (statuses.length === ids.length && statuses.every((s) => s.status === "SUCCESS")) {
        const first = Math.min(...statuses.map((s) => s.dequeuedAt ?? s.createdAt));
        const last = Math.max(...statuses.map((s) => s.completedAt ?? s.updatedAt ?? 0));
        return { ms: last - first, workers: new Set(statuses.map((s) => s.executorId)).size };
      }
      if (Date.now() > deadline) throw new Error("durable runs did not drain in time");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async tearDown(): Promise<void> {
    for (const child of this.#workers) if (child.exitCode === null) child.kill("SIGTERM");
    await Promise.all(this.#workers.map((child) => (child.exitCode !== null ? undefined : new Promise((resolve) => child.once("exit", resolve)))));
    await this.#client?.destroy();
    if (!this.#durable) return;
    const admin = new pg.Client({ connectionString: this.#server });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${this.#database} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  }
}
