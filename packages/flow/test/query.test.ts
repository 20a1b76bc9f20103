import type { BlockStore } from "@sqlblocks/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newRunId } from "../src/ids.js";
import { type FlowRunRecord, RunHistory, RunQuery, RunState } from "../src/index.js";
import { ENGINES, type StoreLocation } from "./store/engines.js";

function flowRun(overrides: Partial<FlowRunRecord>): FlowRunRecord {
  return {
    id: newRunId(),
    name: "nightly",
    state: RunState.COMPLETED,
    tags: [],
    attempts: 1,
    error: undefined,
    createdAt: "2026-01-01T10:00:00.000Z",
    startedAt: "2026-01-01T10:00:00.000Z",
    endedAt: "2026-01-01T10:00:02.500Z",
    pid: process.pid,
    hostname: "elsewhere",
    ...overrides,
  };
}

for (const engine of ENGINES) {
  describe.skipIf(engine.unavailable)(`RunQuery on ${engine.engine}${engine.unavailable ? ` (skipped: ${engine.unavailable})` : ""}`, () => {
    let location: StoreLocation;
    let store: BlockStore;
    let query: RunQuery;
    const runs: FlowRunRecord[] = [];
    let first: FlowRunRecord;

    afterAll(async () => {
      await store?.close();
      await location?.drop();
    });

    beforeAll(async () => {
      location = engine.location();
      store = await location.open();
      const db = store.db;
      query = await RunQuery.open(db);
      const history = new RunHistory(db);
      for (let i = 0; i < 30; i++) {
        const minute = String(i).padStart(2, "0");
        runs.push(
          flowRun({
            name: i % 3 === 0 ? "hourly" : "nightly",
            state: i % 5 === 0 ? RunState.FAILED : RunState.COMPLETED,
            tags: i % 2 === 0 ? ["even", "100%_odd\\"] : ["odd"],
            createdAt: `2026-01-01T10:${minute}:00.000Z`,
            startedAt: `2026-01-01T10:${minute}:00.000Z`,
            endedAt: `2026-01-01T10:${minute}:01.000Z`,
          }),
        );
      }
      first = runs[29]!;
      await history.write({
        flowRuns: runs,
        taskRuns: [1, 2, 3].map((n) => ({
          id: newRunId(),
          flowRunId: first.id,
          name: `t${n}`,
          state: RunState.COMPLETED,
          tags: [],
          attempts: n,
          error: undefined,
          createdAt: first.createdAt,
          startedAt: first.startedAt,
          endedAt: first.endedAt,
          pid: undefined,
          hostname: undefined,
        })),
        logs: (["DEBUG", "INFO", "WARNING", "ERROR"] as const).map((level, n) => ({
          flowRunId: first.id,
          taskRunId: undefined,
          kind: "log" as const,
          level,
          message: `line ${n}`,
          at: first.createdAt,
        })),
    });
    });

    it("pages most recent first with the total, durations and task counts", async () => {
      const page = await query.listRuns({ limit: 10, offset: 0 });
      expect(page.total).toBe(30);
      expect(page.runs.map((run) => run.id)).toEqual(runs.slice(20).reverse().map((run) => run.id));
      expect(page.runs[0]!.taskCount).toBe(3);
      expect(page.runs[0]!.durationMs).toBe(1000);
      const last = await query.listRuns({ limit: 10, offset: 25 });
      expect(last.runs.map((run) => run.id)).toEqual(runs.slice(0, 5).reverse().map((run) => run.id));
    });

    it("filters by state, flow, tag (LIKE wildcards taken literally) and time range", async () => {
      expect((await query.listRuns({ states: [RunState.FAILED] })).total).toBe(6);
      expect((await query.listRuns({ states: [RunState.FAILED, RunState.COMPLETED] })).total).toBe(30);
      expect((await query.listRuns({ flow: "hourly" })).total).toBe(10);
      expect((await query.listRuns({ tag: "even" })).total).toBe(15);
      expect((await query.listRuns({ tag: "100%_odd\\" })).total).toBe(15);
      expect((await query.listRuns({ tag: "100" })).total).toBe(0);
      expect((await query.listRuns({ tag: "ev" })).total).toBe(0);
      const window = await query.listRuns({ from: "2026-01-01T10:10:00Z", to: "2026-01-01T10:20:00Z" });
      expect(window.total).toBe(10);
      expect(window.runs.every((run) => run.createdAt >= "2026-01-01T10:10" && run.createdAt < "2026-01-01T10:20")).toBe(true);
      expect((await query.listRuns({ flow: "hourly", states: [RunState.FAILED], tag: "even" })).total).toBe(1);
      await expect(query.listRuns({ from: "yesterday" })).rejects.toThrow(/from must be an ISO 8601 time/);
    });

    it("counts runs by state per time bucket", async () => {
      const series = await query.history();
      expect(series.unit).toBe("minute");
      expect(series.buckets).toHaveLength(30);
      expect(series.buckets[0]).toEqual({ start: "2026-01-01T10:00:00.000Z", counts: { FAILED: 1 } });
      const totals = series.buckets.reduce((sum, bucket) => sum + (bucket.counts.FAILED ?? 0), 0);
      expect(totals).toBe(6);
      const daily = await query.history({ from: "2025-12-01T00:00:00Z", to: "2026-01-31T00:00:00Z" });
      expect(daily.unit).toBe("day");
      expect(daily.buckets).toEqual([{ start: "2026-01-01T00:00:00.000Z", counts: { COMPLETED: 24, FAILED: 6 } }]);
    });

    it("gives a run with its task runs, and its logs after an id and from a level up", async () => {
      const detail = await query.getRun(first.id);
      expect(detail!.run.name).toBe("nightly");
      expect(detail!.taskRuns.map((task) => [task.name, task.attempts])).toEqual([
        ["t1", 1],
        ["t2", 2],
        ["t3", 3],
      ]);
      expect(await query.getRun("nope")).toBeUndefined();
      const all = await query.logs(first.id);
      expect(all.map((record) => record.message)).toEqual(["line 0", "line 1", "line 2", "line 3"]);
      expect((await query.logs(first.id, { afterId: all[1]!.id })).map((r) => r.message)).toEqual(["line 2", "line 3"]);
      expect((await query.logs(first.id, { minLevel: "WARNING" })).map((r) => r.level)).toEqual(["WARNING", "ERROR"]);
      expect(await query.flowNames()).toEqual(["hourly", "nightly"]);
    });

    it("has the indexes it relies on (flow's migration 3)", async () => {
      const sql =
        engine.engine === "postgres"
          ? "SELECT indexname AS name FROM pg_indexes WHERE tablename = 'flow_runs' AND schemaname = current_schema()"
          : "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'flow_runs'";
      const names = await store.db.all<{ name: string }>(sql);
      expect(names.map((row) => row.name)).toEqual(
        expect.arrayContaining(["flow_runs_by_created", "flow_runs_by_state_created", "flow_runs_by_name_created"]),
      );
    });
  });
}
