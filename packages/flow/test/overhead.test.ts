import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { configureRunLogging, flow, RunState, task } from "../src/index.js";
import { history, useTempHome } from "./helpers.js";

useTempHome("overhead");

// The per-task overhead itself (≤ 0.5 ms) is measured by apps/bench's task-overhead workload,
// against plain calls in the same run: a timed unit test would fail on a loaded machine.
describe("many task runs in one flow", () => {
  it("records every one of 2,000 task runs, history and console logging included", async () => {
    configureRunLogging({ console: new Writable({ write: (_chunk, _encoding, callback) => callback() }) });
    const noop = task("noop", async (n: number) => n);
    const count = 2_000;
    const many = flow("many", async () => {
      for (let i = 0; i < count; i++) await noop(i);
    });
    await many();
    const store = await history();
    const [run] = await store.listFlowRuns({ name: "many", limit: 1 });
    const tasks = await store.listTaskRuns(run!.id);
    expect(tasks).toHaveLength(count);
    expect(tasks.every((t) => t.state === RunState.COMPLETED)).toBe(true);
  });
});
