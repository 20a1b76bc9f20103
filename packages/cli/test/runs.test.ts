import path from "node:path";
import { closeDefaultStores, SqlConnector } from "@sqlblocks/core";
import { configureRunLogging, flow, flushRunHistory, getRunLogger, task } from "@sqlblocks/flow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, sqlblocks, tempHome } from "./helpers.js";

const home = tempHome("runs");
const paramsHome = tempHome("runs-params");
let flowRunId = "";
let failedRunId = "";

beforeAll(async () => {
  process.env.SQLBLOCKS_HOME = home;
  configureRunLogging({ console: false });
  await new SqlConnector({ connectionInfo: `sqlite+better-sqlite3:///${path.join(home, "runs.db")}` }).save("runs-db");
  const setup = task("setup", async () => {
    await using db = await SqlConnector.load("runs-db");
    await db.execute("CREATE TABLE items (id integer)");
    await db.executeMany("INSERT INTO items (id) VALUES (:id)", [{ id: 1 }, { id: 2 }, { id: 3 }]);
  });
  const count = task("count", async () => {
    await using db = await SqlConnector.load("runs-db");
    const rows = await db.fetchAll<{ n: number }>("SELECT count(*) AS n FROM items");
    getRunLogger().info("counted %d items", rows[0]!.n);
    return rows[0]!.n;
  });
  await flow("inventory", async () => {
    await setup();
    return await count();
  })();
  const broken = task({ name: "broken", retries: 1 }, async () => {
    throw new Error("no such table: missing");
  });
  await flow("doomed", async () => broken())().catch(() => undefined);
  await flushRunHistory();
  await closeDefaultStores();
  const runs = parse<{ id: string; name: string }[]>(await sqlblocks(home, ["runs", "ls", "--json"]));
  flowRunId = runs.find((r) => r.name === "inventory")!.id;
  failedRunId = runs.find((r) => r.name === "doomed")!.id;
});

afterAll(() => closeDefaultStores());

describe("runs ls", () => {
  it("lists flow runs, most recent first, with state, duration and task count", async () => {
    const result = await sqlblocks(home, ["runs", "ls"]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+FLOW\s+STATE\s+STARTED\s+DURATION\s+TASKS$/);
    expect(lines[1]).toMatch(new RegExp(`^${failedRunId}\\s+doomed\\s+FAILED\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+(?:\\d+ ms|\\d+\\.\\d s)\\s+1$`));
    expect(lines[2]).toMatch(new RegExp(`^${flowRunId}\\s+inventory\\s+COMPLETED\\s+.*\\s+2$`));
  });

  it("filters and limits, as text and JSON", async () => {
    const limited = parse<{ id: string }[]>(await sqlblocks(home, ["runs", "ls", "--json", "--limit", "1"]));
    expect(limited.map((r) => r.id)).toEqual([failedRunId]);
    const completed = parse<{ id: string; state: string; taskRuns: number }[]>(
      await sqlblocks(home, ["runs", "ls", "--json", "--state", "completed"]),
    );
    expect(completed).toEqual([expect.objectContaining({ id: flowRunId, state: "COMPLETED", taskRuns: 2 })]);
    const byFlow = parse<unknown[]>(await sqlblocks(home, ["runs", "ls", "--json", "--flow", "nope"]));
    expect(byFlow).toEqual([]);
  });

  it("rejects a bad --limit or --state with exit code 2", async () => {
    const limit = await sqlblocks(home, ["runs", "ls", "--limit", "0"]);
    expect(limit.code).toBe(2);
    expect(limit.stderr).toBe('error: --limit must be a whole number > 0, got "0"\n');
    const state = await sqlblocks(home, ["runs", "ls", "--state", "sleeping"]);
    expect(state.code).toBe(2);
    expect(state.stderr).toMatch(/^error: unknown state "sleeping": use one of PENDING, RUNNING, COMPLETED/);
  });
});

describe("runs show", () => {
  it("shows the flow run, its task runs and the statements they ran", async () => {
    const result = await sqlblocks(home, ["runs", "show", flowRunId]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Flow run  ${flowRunId}`);
    expect(result.stdout).toContain("State     COMPLETED");
    expect(result.stdout).toMatch(/ {2}setup {2}COMPLETED {2}(?:\d+ ms|\d+\.\d s) {2}[0-9a-f-]{36}\n {4}execute: CREATE TABLE items \(id integer\) {2}\(\d+\.\d ms, 0 rows\)\n {4}executeMany: INSERT INTO items \(id\) VALUES \(:id\) {2}\(\d+\.\d ms, 3 rows\)/);
    expect(result.stdout).toMatch(/ {2}count {2}COMPLETED .*\n {4}fetchAll: SELECT count\(\*\) AS n FROM items {2}\(\d+\.\d ms, 1 row\)/);
  });

  it("accepts a unique id prefix and prints JSON", async () => {
    const json = parse<{ flowRun: { id: string; state: string }; taskRuns: { name: string; state: string; statements: { operation: string; sql: string; rowCount: number }[] }[] }>(
      await sqlblocks(home, ["runs", "show", flowRunId.slice(0, 33), "--json"]),
    );
    expect(json.flowRun).toMatchObject({ id: flowRunId, state: "COMPLETED" });
    expect(json.taskRuns.map((t) => [t.name, t.state])).toEqual([
      ["setup", "COMPLETED"],
      ["count", "COMPLETED"],
    ]);
    expect(json.taskRuns[0]!.statements).toEqual([
      expect.objectContaining({ operation: "execute", sql: "CREATE TABLE items (id integer)", rowCount: 0 }),
      expect.objectContaining({ operation: "executeMany", sql: "INSERT INTO items (id) VALUES (:id)", rowCount: 3 }),
    ]);
  });

  it("shows a failed run's error and attempts", async () => {
    const result = await sqlblocks(home, ["runs", "show", failedRunId]);
    expect(result.stdout).toContain("State     FAILED");
    expect(result.stdout).toContain("Error     Error: no such table: missing");
    expect(result.stdout).toMatch(/broken {2}FAILED {2}(?:\d+ ms|\d+\.\d s), 2 attempts/);
  });

  it("shows the parameters (a block by name, secrets masked) and the result", async () => {
    // In a store of its own, so that the run lists below see only the two runs above.
    process.env.SQLBLOCKS_HOME = paramsHome;
    try {
      await new SqlConnector({ connectionInfo: `sqlite+better-sqlite3:///${path.join(paramsHome, "runs.db")}` }).save("runs-db");
      const withParams = flow("with-params", async (options: { day: string; db: SqlConnector; password: string }) => ({ rows: 2, day: options.day }));
      await withParams({ day: "2024-01-01", db: await SqlConnector.load("runs-db"), password: "Cli-Canary-Pw-4" });
      await flushRunHistory();
      await closeDefaultStores();
    } finally {
      process.env.SQLBLOCKS_HOME = home;
    }
    const paramsRunId = parse<{ id: string }[]>(await sqlblocks(paramsHome, ["runs", "ls", "--json"]))[0]!.id;
    const result = await sqlblocks(paramsHome, ["runs", "show", paramsRunId.slice(0, 12)]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Parameters {"day":"2024-01-01","db":{"$block":"sql-connector/runs-db"},"password":"********"}\n');
    expect(result.stdout).toContain('Result    {"rows":2,"day":"2024-01-01"}\n');
    expect(result.stdout).not.toContain("Cli-Canary-Pw-4");
    const json = parse<{ flowRun: { parameters: unknown; result: unknown } }>(await sqlblocks(paramsHome, ["runs", "show", paramsRunId, "--json"]));
    expect(json.flowRun).toMatchObject({ parameters: { day: "2024-01-01", password: "********" }, result: { rows: 2, day: "2024-01-01" } });
    // A run that failed records no result; one without arguments no parameters.
    const failed = await sqlblocks(home, ["runs", "show", failedRunId]);
    expect(failed.stdout).not.toMatch(/^(Parameters|Result) /m);
    expect((await sqlblocks(home, ["runs", "show", flowRunId])).stdout).toContain("Result    3\n");
  });

  it("reports an unknown id on one line with exit code 1", async () => {
    const result = await sqlblocks(home, ["runs", "show", "0000dead"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('error: no run with id "0000dead": list runs with sqlblocks runs ls\n');
  });
});

describe("runs logs", () => {
  it("prints the run's log lines in the console format", async () => {
    const result = await sqlblocks(home, ["runs", "logs", flowRunId]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\| INFO {4}\\| Flow run 'inventory' - Beginning flow run '${flowRunId}' for flow 'inventory'$`));
    expect(lines).toContainEqual(expect.stringMatching(/\| DEBUG {3}\| Task run 'setup-0' - executeMany: INSERT INTO items \(id\) VALUES \(:id\) \(\d+\.\d ms, 3 rows\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/\| INFO {4}\| Task run 'count-0' - counted 3 items$/));
    expect(lines.at(-1)).toMatch(/\| INFO {4}\| Flow run 'inventory' - Finished in state Completed\(\)$/);
  });

  it("prints records as JSON", async () => {
    const records = parse<{ kind: string; level: string; message: string }[]>(await sqlblocks(home, ["runs", "logs", failedRunId, "--json"]));
    expect(records).toContainEqual(expect.objectContaining({ kind: "log", level: "WARNING", message: expect.stringContaining("Retry 1/1") }));
    expect(records.at(-1)).toMatchObject({ level: "ERROR", message: expect.stringContaining("Finished in state Failed(") });
  });
});
