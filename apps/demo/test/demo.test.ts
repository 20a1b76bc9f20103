import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { BlockStore, SqlConnector } from "@sqlblocks/core";
import { RunHistory, RunState } from "@sqlblocks/flow";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_BLOCK_NAME, demoSettings } from "../src/index.js";

const run = promisify(execFile);
const appRoot = path.resolve(import.meta.dirname, "..");
const home = mkdtempSync(path.join(os.tmpdir(), "sqlblocks-demo-home-"));
const dataDir = mkdtempSync(path.join(os.tmpdir(), "sqlblocks-demo-data-"));
afterAll(() => {
  rmSync(home, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

const EXPECTED_OUTPUT = `Fetched Data:
{ name: 'Marvin', address: 'Highway 42' }
{ name: 'Ford', address: 'Highway 42' }
{ name: 'Unknown', address: 'Highway 42' }
`;

async function runDemo() {
  const env: NodeJS.ProcessEnv = { ...process.env, SQLBLOCKS_HOME: home, SQLITE_DB_PATH: path.join(dataDir, "demo.db") };
  delete env.DEMO_URL;
  delete env.SQLBLOCKS_DEMO_BLOCK;
  return run(process.execPath, ["dist/index.js"], { cwd: appRoot, env });
}

async function withHistory<T>(fn: (history: RunHistory, store: BlockStore) => Promise<T>): Promise<T> {
  const store = await BlockStore.open({ home });
  try {
    return await fn(new RunHistory(store.db), store);
  } finally {
    await store.close();
  }
}

describe("the quickstart demo", () => {
  it("prints the three customers and records one COMPLETED flow run with two COMPLETED task runs", async () => {
    const { stdout, stderr } = await runDemo();
    expect(stdout).toBe(EXPECTED_OUTPUT);
    expect(stderr).toMatch(/\| INFO {4}\| Flow run 'quickstart' - Finished in state Completed\(\)/);

    await withHistory(async (history) => {
      const runs = await history.listFlowRuns();
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ name: "quickstart", state: RunState.COMPLETED, attempts: 1 });
      const tasks = await history.listTaskRuns(runs[0]!.id);
      expect(tasks.map((t) => [t.name, t.state])).toEqual([
        ["setupTable", RunState.COMPLETED],
        ["fetchData", RunState.COMPLETED],
      ]);
      const statements = (await history.logs(runs[0]!.id, { kind: "statement" })).map((s) => s.message);
      expect(statements.slice(0, 4)).toEqual([
        "execute: CREATE TABLE IF NOT EXISTS customers (name varchar(255), address varchar(255))",
        "execute: DELETE FROM customers",
        "execute: INSERT INTO customers (name, address) VALUES (:name, :address)",
        "executeMany: INSERT INTO customers (name, address) VALUES (:name, :address)",
      ]);
      // One statement per page read from the cursor (core may skip logging the final, empty read).
      expect(statements.slice(4).length).toBeGreaterThanOrEqual(2);
      expect(new Set(statements.slice(4))).toEqual(new Set(["fetchMany: SELECT * FROM customers"]));
    });
  });

  it("prints exactly three customers again when rerun, and saved the block by name", async () => {
    const { stdout } = await runDemo();
    expect(stdout).toBe(EXPECTED_OUTPUT);
    await withHistory(async (history, store) => {
      const runs = await history.listFlowRuns();
      expect(runs.map((r) => r.state)).toEqual([RunState.COMPLETED, RunState.COMPLETED]);
      const block = await SqlConnector.load(DEFAULT_BLOCK_NAME, { store });
      expect(block.renderUrl()).toBe(`sqlite+better-sqlite3:///${path.join(dataDir, "demo.db")}`);
    });
  });

  // The "done when": after the demo, the CLI lists the run, its tasks and statements, and its logs.
  // The CLI is a dev dependency of the demo, so turbo builds it before these tests run.
  const cliPackage = path.join(appRoot, "node_modules/sqlblocks");
  const cli = path.join(cliPackage, (JSON.parse(readFileSync(path.join(cliPackage, "package.json"), "utf8")) as { bin: { sqlblocks: string } }).bin.sqlblocks);
  it("is visible through the sqlblocks CLI", { timeout: 120_000 }, async () => {
    expect(existsSync(cli), `${cli} is missing: build the CLI (turbo builds it as a dependency of the demo)`).toBe(true);
    const { NODE_PATH: _hoisted, ...baseEnv } = process.env;
    const sqlblocks = (...args: string[]) => run(process.execPath, [cli, ...args], { cwd: appRoot, env: { ...baseEnv, SQLBLOCKS_HOME: home } });
    const runs = JSON.parse((await sqlblocks("runs", "ls", "--json")).stdout) as { id: string; state: string }[];
    expect(runs.map((r) => r.state)).toEqual([RunState.COMPLETED, RunState.COMPLETED]);
    const show = (await sqlblocks("runs", "show", runs[0]!.id)).stdout;
    expect(show).toMatch(/setupTable {2}COMPLETED/);
    expect(show).toMatch(/fetchData {2}COMPLETED/);
    expect(show).toContain("executeMany: INSERT INTO customers (name, address) VALUES (:name, :address)");
    const logs = (await sqlblocks("runs", "logs", runs[0]!.id)).stdout;
    expect(logs).toMatch(/Task run 'fetchData-0' - fetched a page of 2 rows/);
    const test = await sqlblocks("block", "test", DEFAULT_BLOCK_NAME);
    expect(test.stdout).toMatch(/^ok: sql-connector\/my-sqlite-block .* answered SELECT 1 in \d+\.\d ms/);
  });

  it("reads its settings from the environment", () => {
    expect(demoSettings({}, "/srv/app")).toEqual({ blockName: "my-sqlite-block", url: "sqlite+better-sqlite3:////srv/app/demo.db" });
    expect(demoSettings({ SQLITE_DB_PATH: "data/x.db", SQLBLOCKS_DEMO_BLOCK: "other" }, "/srv/app")).toEqual({
      blockName: "other",
      url: "sqlite+better-sqlite3:////srv/app/data/x.db",
    });
    expect(demoSettings({ DEMO_URL: "postgresql+pg://demo@localhost/demo" }).url).toBe("postgresql+pg://demo@localhost/demo");
  });
});
