import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { configureRunLogging, flow, RunState, task } from "../src/index.js";
import { history, useTempHome } from "./helpers.js";

useTempHome("overhead");

describe("per-task overhead", () => {
  it("stays well under 0.5 ms per task run, history and console logging included", async () => {
    configureRunLogging({ console: new Writable({ write: (_chunk, _encoding, callback) => callback() }) });
    const noop = task("noop", async (n: number) => n);
    const count = 2_000;
    const many = flow("many", async () => {
      for (let i = 0; i < count; i++) await noop(i);
    });
    await many(); // warm-up
    const started = performance.now();
    await many();
    const perTask = (performance.now() - started) / count;
    expect(perTask).toBeLessThan(0.5);
    const store = await history();
    const [run] = await store.listFlowRuns({ name: "many", limit: 1 });
    const tasks = await store.listTaskRuns(run!.id);
    expect(tasks).toHaveLength(count);
    expect(tasks.every((t) => t.state === RunState.COMPLETED)).toBe(true);
  });
});
