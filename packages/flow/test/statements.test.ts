import path from "node:path";
import { SqlConnector } from "@sqlblocks/core";
import { describe, expect, it } from "vitest";
import { configureRunLogging, flow, RunState, task } from "../src/index.js";
import { captureConsole, history, useTempHome } from "./helpers.js";

const home = useTempHome("statements");
const output = captureConsole();

describe("statements inside a run", () => {
  it("are logged to the run's log with SQL, duration and row count, never parameter values", async () => {
    const url = `sqlite+better-sqlite3:///${path.join(home, "data.db")}`;
    await new SqlConnector({ connectionInfo: url }).save("stmt-block", { overwrite: true });
    const setup = task("setup", async () => {
      await using db = await SqlConnector.load("stmt-block");
      await db.execute("CREATE TABLE IF NOT EXISTS people (name varchar(255))");
      await db.executeMany("INSERT INTO people (name) VALUES (:name)", [{ name: "canary-value-1" }, { name: "canary-value-2" }]);
    });
    const read = task("read", async () => {
      await using db = await SqlConnector.load("stmt-block");
      return await db.fetchAll<{ name: string }>("SELECT name FROM people WHERE name <> :skip", { skip: "canary-value-3" });
    });
    configureRunLogging({ level: "DEBUG" });
    try {
      const rows = await flow("with-sql", async () => {
        await setup();
        return read();
      })();
      expect(rows).toHaveLength(2);
    } finally {
      configureRunLogging({ level: "INFO" });
    }
    const store = await history();
    const [run] = await store.listFlowRuns({ name: "with-sql" });
    expect(run!.state).toBe(RunState.COMPLETED);
    const [setupRun, readRun] = await store.listTaskRuns(run!.id);
    const statements = await store.logs(run!.id, { kind: "statement" });
    expect(statements.map((s) => [s.taskRunId, s.message, s.rowCount])).toEqual([
      [setupRun!.id, "execute: CREATE TABLE IF NOT EXISTS people (name varchar(255))", 0],
      [setupRun!.id, "executeMany: INSERT INTO people (name) VALUES (:name)", 2],
      [readRun!.id, "fetchAll: SELECT name FROM people WHERE name <> :skip", 2],
    ]);
    for (const statement of statements) {
      expect(statement.level).toBe("DEBUG");
      expect(statement.durationMs).toBeGreaterThanOrEqual(0);
    }
    const everything = JSON.stringify(await store.logs(run!.id)) + output.text();
    expect(everything).not.toContain("canary-value");
    expect(output.text()).toMatch(/DEBUG {3}\| Task run 'setup-0' - executeMany: INSERT INTO people \(name\) VALUES \(:name\) \(\d+\.\d ms, 2 rows\)/);
  });

  it("outside a run are not logged anywhere", async () => {
    const db = await SqlConnector.load("stmt-block");
    try {
      await db.fetchAll("SELECT 1 AS one");
    } finally {
      await db.close();
    }
    const store = await history();
    const rows = await store.db.all("SELECT * FROM run_logs WHERE message LIKE '%SELECT 1 AS one%'");
    expect(rows).toEqual([]);
  });
});
