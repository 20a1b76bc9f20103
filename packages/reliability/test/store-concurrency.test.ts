/**
 * The embedded store under concurrency: several processes saving, overwriting, loading,
 * listing and deleting blocks in one SQLBLOCKS_HOME at once, starting from an empty folder
 * (so they also race to create the key file and the schema). Afterwards every block a
 * process owns holds exactly what it last wrote, nothing is corrupt, and SQLite's
 * integrity check passes.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { BlockStore, SqlConnector, STORE_FILE_NAME } from "@sqlblocks/core";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { runFixture } from "./support/child.js";
import { fixturesDir, packageRoot, tempDir } from "./support/env.js";
import { expectNothingLostOrCorrupt, type WorkerReport } from "./support/store-workers.js";

const WORKERS = 8;
const OPERATIONS = 500;
const OWN_NAMES = 6;
const SHARED_NAMES = 4;


describe("the block store under concurrent processes", () => {
  const home = tempDir("concurrency");

  it(`${WORKERS} processes × ${OPERATIONS} operations lose nothing and corrupt nothing`, async () => {
    const started = performance.now();
    const startAt = String(Date.now() + 1_500);
    const results = await Promise.all(
      Array.from({ length: WORKERS }, (_, worker) =>
        runFixture("store-worker.mjs", [...[worker, OPERATIONS, OWN_NAMES, SHARED_NAMES].map(String), startAt], {
          env: { SQLBLOCKS_HOME: home, SQLBLOCKS_ENCRYPTION_KEY: "" },
          timeoutMs: 50_000,
        }),
      ),
    );
    const elapsed = performance.now() - started;
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const reports = results.map((result) => JSON.parse(result.stdout) as WorkerReport);

    // No unexpected error, no anomaly seen by any process while it ran.
    expect(reports.flatMap((r) => r.unexpected)).toEqual([]);
    expect(reports.flatMap((r) => r.anomalies)).toEqual([]);

    // Every block a process owns holds exactly what it last wrote.
    const store = await BlockStore.open({ home, env: {} });
    try {
      await expectNothingLostOrCorrupt(store, reports, WORKERS * OWN_NAMES);
    } finally {
      await store.close();
    }

    const db = new Database(path.join(home, STORE_FILE_NAME), { readonly: true });
    try {
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    } finally {
      db.close();
    }
    expect((fs.statSync(path.join(home, "encryption.key")).mode & 0o777).toString(8)).toBe("600");

    const total = reports.reduce((sum, r) => sum + r.operations, 0);
    const byOperation: Record<string, number> = {};
    const outcomes: Record<string, number> = {};
    for (const report of reports) {
      for (const [op, n] of Object.entries(report.counts)) byOperation[op] = (byOperation[op] ?? 0) + n;
      for (const [kind, n] of Object.entries(report.expectedOutcomes)) outcomes[kind] = (outcomes[kind] ?? 0) + n;
    }
    // Names really collided: both expected outcomes happened.
    expect(outcomes.BlockAlreadyExistsError).toBeGreaterThan(0);
    expect(outcomes.BlockNotFoundError).toBeGreaterThan(0);
    console.log(
      `[store] ${WORKERS} processes × ${OPERATIONS} = ${total} operations in ${Math.round(elapsed)} ms (slowest worker ${Math.max(...reports.map((r) => r.ms))} ms); ` +
        `${JSON.stringify(byOperation)}; expected outcomes ${JSON.stringify(outcomes)}; unexpected errors 0; lost or corrupt documents 0; integrity_check ok`,
    );
  }, 60_000);
});

describe("the key file under concurrent first use", () => {
  /**
   * A process that finds the key file created but not yet written (another process is
   * between its exclusive create and its write) must wait for the key, not fail: the
   * store's own comment promises that racing processes agree on one key.
   */
  it("a process that finds an empty key file waits for the key another process is writing", async () => {
    const home = tempDir("key-race");
    const keyFile = path.join(home, "encryption.key");
    fs.writeFileSync(keyFile, "", { mode: 0o600 });
    const key = Buffer.alloc(32, 7).toString("base64");
    const child = spawn(process.execPath, [path.join(fixturesDir, "save-one.mjs"), "raced"], {
      cwd: packageRoot,
      env: { ...process.env, SQLBLOCKS_HOME: home, SQLBLOCKS_ENCRYPTION_KEY: "" },
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += String(chunk);
    });
    // The child says READY right before it opens the store; the key lands 100 ms later.
    child.stdout.once("data", () => setTimeout(() => fs.writeFileSync(keyFile, `${key}\n`), 100));
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const store = await BlockStore.open({ home, env: { SQLBLOCKS_ENCRYPTION_KEY: key } });
    try {
      expect((await SqlConnector.load("raced", { store })).components.database).toBe("raced.db");
    } finally {
      await store.close();
    }
  }, 30_000);
});
