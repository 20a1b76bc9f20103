/** The store contract, part 2: flow runs, task runs and logs on every engine. */
import { type BlockStore, SqlConnector } from "@sqlblocks/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configureRunHistory, flow, flushRunHistory, getRunLogger, RunHistory, RunState, task } from "../../src/index.js";
import { captureConsole } from "../helpers.js";
import { ENGINES, type StoreLocation } from "./engines.js";

captureConsole();

for (const engine of ENGINES) {
  describe.skipIf(engine.unavailable)(`store contract: runs and logs on ${engine.engine}${engine.unavailable ? ` (skipped: ${engine.unavailable})` : ""}`, () => {
    let location: StoreLocation;
    let store: BlockStore;
    beforeAll(async () => {
      location = engine.location();
      store = await location.open();
      configureRunHistory({ store });
    });
    afterAll(async () => {
      await flushRunHistory();
      configureRunHistory({ store: undefined });
      await store?.close();
      await location?.drop();
    });

    it("records a flow run, its task runs and their logs", async () => {
      const add = task("add", async (a: number, b: number) => {
        getRunLogger().info(`adding ${a} and ${b}`);
        return a + b;
      });
      const result = await flow("contract-flow", async () => (await add(1, 2)) + (await add(3, 4)))();
      expect(result).toBe(10);
      await flushRunHistory();
      const history = new RunHistory(store.db);
      const [run] = await history.listFlowRuns({ name: "contract-flow" });
      expect(run?.state).toBe(RunState.COMPLETED);
      expect(run?.pid).toBe(process.pid);
      const tasks = await history.listTaskRuns(run!.id);
      expect(tasks.map((t) => [t.name, t.state])).toEqual([
        ["add", RunState.COMPLETED],
        ["add", RunState.COMPLETED],
      ]);
      const logs = await history.logs(run!.id, { kind: "log" });
      const messages = logs.map((log) => log.message);
      expect(messages).toEqual(expect.arrayContaining(["adding 1 and 2", "adding 3 and 4"]));
      expect(logs.every((log) => typeof log.id === "number" && Number.isInteger(log.id))).toBe(true);
      expect(await history.findFlowRuns(run!.id.slice(0, 6))).toHaveLength(1);
    });

    it("records a flow run's parameters and result, redacted, and keeps them out of run lists", async () => {
      const canary = `Contract-Canary-${engine.engine}-Pw9`;
      const saved = new SqlConnector({ connectionInfo: `postgresql+pg://app:${canary}@db:5432/shop` });
      await saved.save("contract-warehouse", { store });
      const unsaved = new SqlConnector({ connectionInfo: { driver: "postgresql+pg", host: "db", username: "app", password: canary } });
      const etl = flow("contract-params", async (options: { day: string; db: SqlConnector; other: SqlConnector; url: string; token: string }) => ({
        rows: 3,
        day: new Date(`${options.day}T00:00:00Z`),
        big: 2n ** 70n,
      }));
      await etl({ day: "2024-01-31", db: saved, other: unsaved, url: `postgresql://app:${canary}@db/shop`, token: canary });
      await flushRunHistory();
      const history = new RunHistory(store.db);
      const [listed] = await history.listFlowRuns({ name: "contract-params" });
      expect(listed).not.toHaveProperty("parameters");
      const run = await history.getFlowRun(listed!.id);
      expect(JSON.parse(run!.parameters!)).toEqual({
        day: "2024-01-31",
        db: { $block: "sql-connector/contract-warehouse" },
        other: { $block: "sql-connector", data: expect.objectContaining({ connectionInfo: expect.objectContaining({ password: "********" }) }) },
        url: "postgresql://app:********@db/shop",
        token: "********",
      });
      expect(JSON.parse(run!.result!)).toEqual({ rows: 3, day: "2024-01-31T00:00:00.000Z", big: { $bigint: String(2n ** 70n) } });
      const stored = await store.db.all<Record<string, unknown>>("SELECT * FROM flow_runs");
      expect(JSON.stringify(stored)).not.toContain(canary);
      // A failed run keeps its parameters and error, and records no result.
      await expect(flow("contract-params-fail", async (_n: number, _s: string) => Promise.reject(new Error("no")))(7, "x")).rejects.toThrow("no");
      await flushRunHistory();
      const [failed] = await history.listFlowRuns({ name: "contract-params-fail" });
      expect(await history.getFlowRun(failed!.id)).toMatchObject({ parameters: '[7,"x"]', result: undefined, error: expect.stringContaining("no") });
    });

    it("records a failed run with its error and keeps logs in order", async () => {
      const failing = flow("contract-fails", async () => {
        for (let i = 0; i < 20; i++) getRunLogger().info(`line ${i}`);
        throw new Error("boom");
      });
      await expect(failing()).rejects.toThrow("boom");
      await flushRunHistory();
      const history = new RunHistory(store.db);
      const [run] = await history.listFlowRuns({ name: "contract-fails" });
      expect(run?.state).toBe(RunState.FAILED);
      expect(run?.error).toContain("boom");
      const lines = (await history.logs(run!.id, { kind: "log" })).map((log) => log.message).filter((m) => m.startsWith("line "));
      expect(lines).toEqual(Array.from({ length: 20 }, (_, i) => `line ${i}`));
    });

    it("settles a run left RUNNING by a dead process as CRASHED", async () => {
      const history = new RunHistory(store.db, { isAlive: () => false });
      const now = new Date().toISOString();
      await history.write({
        flowRuns: [
          { id: `dead-${engine.engine}`, name: "contract-dead", state: RunState.RUNNING, tags: ["x"], attempts: 1, error: undefined, createdAt: now, startedAt: now, endedAt: undefined, pid: 999_999, hostname: (await import("node:os")).hostname() },
        ],
      });
      const [run] = await history.listFlowRuns({ name: "contract-dead" });
      expect(run?.state).toBe(RunState.CRASHED);
      expect(run?.tags).toEqual(["x"]);
    });
  });
}
