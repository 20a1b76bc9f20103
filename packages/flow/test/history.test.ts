import { getDefaultStore } from "@sqlblocks/core";
import { describe, expect, it } from "vitest";
import { newRunId } from "../src/ids.js";
import { type FlowRunRecord, RunHistory, RunState, retryDelayForTest } from "./history-imports.js";
import { useTempHome } from "./helpers.js";

useTempHome("history");

function flowRun(overrides: Partial<FlowRunRecord>): FlowRunRecord {
  return {
    id: newRunId(),
    name: "manual",
    state: RunState.RUNNING,
    tags: [],
    attempts: 1,
    error: undefined,
    createdAt: new Date().toISOString(),
    startedAt: new Date().toISOString(),
    endedAt: undefined,
    pid: 999_999,
    hostname: "this-host",
    ...overrides,
  };
}

describe("RunHistory", () => {
  it("shows runs of dead processes on this host CRASHED, leaves live and foreign ones alone", async () => {
    const history = new RunHistory((await getDefaultStore()).db, { hostname: "this-host", isAlive: (pid) => pid === 4242 });
    const dead = flowRun({ pid: 1111 });
    const alive = flowRun({ pid: 4242 });
    const foreign = flowRun({ pid: 1111, hostname: "other-host" });
    const finished = flowRun({ pid: 1111, state: RunState.COMPLETED, endedAt: new Date().toISOString() });
    await history.write({
      flowRuns: [dead, alive, foreign, finished],
      taskRuns: [
        { id: newRunId(), flowRunId: dead.id, name: "t", state: RunState.PENDING, tags: [], attempts: 0, error: undefined, createdAt: dead.createdAt, startedAt: undefined, endedAt: undefined, pid: 1111, hostname: "this-host" },
      ],
    });
    const runs = await history.listFlowRuns({ name: "manual" });
    const byId = new Map(runs.map((run) => [run.id, run]));
    expect(byId.get(dead.id)!.state).toBe(RunState.CRASHED);
    expect(byId.get(dead.id)!.error).toBe("the process running it (pid 1111 on this-host) ended before the run finished");
    expect(byId.get(alive.id)!.state).toBe(RunState.RUNNING);
    expect(byId.get(foreign.id)!.state).toBe(RunState.RUNNING);
    expect(byId.get(finished.id)!.state).toBe(RunState.COMPLETED);
    expect((await history.listTaskRuns(dead.id))[0]!.state).toBe(RunState.CRASHED);
    expect(await history.settleCrashedRuns()).toBe(0);
  });

  it("lists most recent first, filters, limits, and finds runs by id prefix", async () => {
    const history = new RunHistory((await getDefaultStore()).db);
    const older = flowRun({ name: "listed", state: RunState.COMPLETED, createdAt: "2024-01-01T00:00:00.000Z", pid: process.pid });
    const newer = flowRun({ name: "listed", state: RunState.FAILED, createdAt: "2024-01-02T00:00:00.000Z", pid: process.pid });
    await history.write({ flowRuns: [older, newer] });
    expect((await history.listFlowRuns({ name: "listed" })).map((r) => r.id)).toEqual([newer.id, older.id]);
    expect((await history.listFlowRuns({ name: "listed", limit: 1 })).map((r) => r.id)).toEqual([newer.id]);
    expect((await history.listFlowRuns({ name: "listed", state: RunState.COMPLETED })).map((r) => r.id)).toEqual([older.id]);
    expect((await history.findFlowRuns(newer.id.slice(0, 30))).map((r) => r.id)).toEqual([newer.id]);
    expect(await history.findFlowRuns("%")).toEqual([]);
    expect(await history.getFlowRun("missing")).toBeUndefined();
  });
});

describe("run ids", () => {
  it("sort in creation order, even within one millisecond", () => {
    const ids = Array.from({ length: 500 }, () => newRunId(1_700_000_000_000));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(500);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe("retry delays", () => {
  it("use the n-th list entry for the n-th retry, repeating the last", () => {
    expect([1, 2, 3, 4].map((n) => retryDelayForTest({ retryDelayMs: [10, 20, 30] }, n))).toEqual([10, 20, 30, 30]);
    expect(retryDelayForTest({ retryDelayMs: 7 }, 3)).toBe(7);
  });

  it("add jitter up to retryJitterFactor × delay", () => {
    expect(retryDelayForTest({ retryDelayMs: 100, retryJitterFactor: 0.5 }, 1, () => 0)).toBe(100);
    expect(retryDelayForTest({ retryDelayMs: 100, retryJitterFactor: 0.5 }, 1, () => 0.999)).toBeCloseTo(149.95);
  });
});
