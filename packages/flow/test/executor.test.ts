import { describe, expect, it } from "vitest";
import { flow, RunCancelRequestedError, type RunExecutor, RunState, task, withRunExecutor } from "../src/index.js";
import { captureConsole, history, useTempHome } from "./helpers.js";

useTempHome("executor");
captureConsole();

/**
 * An executor that checkpoints like a durable engine: call n of a replay returns the result
 * recorded for call n without running the task again.
 */
class CheckpointingExecutor implements RunExecutor {
  readonly tags = ["worker:test"];
  readonly recorded: { name: string; value: unknown }[] = [];
  calls = 0;
  executed = 0;
  cancelFrom = Number.POSITIVE_INFINITY;
  #flows = 0;

  constructor(readonly flowRunId: string) {}

  nextFlowRunId(): string {
    return this.#flows++ === 0 ? this.flowRunId : `${this.flowRunId}-sub-${this.#flows - 1}`;
  }

  async runTask<R>(taskName: string, execute: () => Promise<R>): Promise<R> {
    const n = this.calls++;
    if (n >= this.cancelFrom) throw new RunCancelRequestedError("task", taskName);
    const checkpoint = this.recorded[n];
    if (checkpoint) {
      expect(checkpoint.name).toBe(taskName);
      return checkpoint.value as R;
    }
    this.executed++;
    const value = await execute();
    this.recorded[n] = { name: taskName, value };
    return value;
  }

  replay(): void {
    this.calls = 0;
    this.#flows = 0;
  }
}

describe("RunExecutor", () => {
  it("gives the flow run its id and tags, and routes every task call through runTask", async () => {
    const executor = new CheckpointingExecutor("durable-run-1");
    let runs = 0;
    const double = task("double", async (n: number) => {
      runs++;
      return n * 2;
    });
    const sub = flow("sub", async (n: number) => double(n));
    const parent = flow("parent", async () => (await double(1)) + (await sub(2)));
    expect(await withRunExecutor(executor, () => parent())).toBe(6);
    expect(runs).toBe(2);
    const store = await history();
    const run = await store.getFlowRun("durable-run-1");
    expect(run).toMatchObject({ name: "parent", state: RunState.COMPLETED, pid: undefined });
    expect(run!.tags).toContain("worker:test");
    expect(await store.getFlowRun("durable-run-1-sub-1")).toMatchObject({ name: "sub", state: RunState.COMPLETED });
    const tasks = await store.listTaskRuns("durable-run-1");
    expect(tasks.map((t) => [t.name, t.tags])).toEqual([["double", ["worker:test"]]]);

    // A replay returns the checkpoints: no task runs again, the same flow record is updated.
    executor.replay();
    expect(await withRunExecutor(executor, () => parent())).toBe(6);
    expect(runs).toBe(2);
    expect(executor.executed).toBe(2);
    expect((await store.listFlowRuns({ name: "parent" })).length).toBe(1);
  });

  it("task.map hands items over in item order and keeps its concurrency limit", async () => {
    const executor = new CheckpointingExecutor("durable-map");
    let running = 0;
    let peak = 0;
    const item = task("item", async (ms: number) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, ms));
      running--;
      return ms;
    });
    const mapper = flow("mapper", async () => item.map([30, 5, 20, 1, 10, 2], { concurrency: 2 }));
    expect(await withRunExecutor(executor, () => mapper())).toEqual([30, 5, 20, 1, 10, 2]);
    expect(peak).toBe(2);
    // Call n recorded item n, whatever the finishing order was.
    expect(executor.recorded.map((r) => r.value)).toEqual([30, 5, 20, 1, 10, 2]);
  });

  it("task.map under an executor: after a failure the waiting items end CANCELLED without running", async () => {
    const executor = new CheckpointingExecutor("durable-map-fail");
    const started: number[] = [];
    const item = task("fragile", async (n: number) => {
      started.push(n);
      if (n === 1) throw new Error("item 1 broke");
      return n;
    });
    const mapper = flow("fragile-mapper", async () => item.map([0, 1, 2, 3], { concurrency: 1 }));
    await expect(withRunExecutor(executor, () => mapper())).rejects.toThrow("item 1 broke");
    expect(started).toEqual([0, 1]);
    const tasks = await (await history()).listTaskRuns("durable-map-fail");
    expect(tasks.map((t) => t.state)).toEqual([RunState.COMPLETED, RunState.FAILED, RunState.CANCELLED, RunState.CANCELLED]);
  });

  it("a cancel request ends the task call and the flow CANCELLED, not FAILED, with no retry", async () => {
    const executor = new CheckpointingExecutor("durable-cancel");
    executor.cancelFrom = 1;
    let runs = 0;
    const step = task("step", async () => ++runs);
    const cancellable = flow({ name: "cancellable", retries: 2 }, async () => {
      await step();
      await step();
      return "never";
    });
    await expect(withRunExecutor(executor, () => cancellable())).rejects.toBeInstanceOf(RunCancelRequestedError);
    expect(runs).toBe(1);
    const run = await (await history()).getFlowRun("durable-cancel");
    expect(run).toMatchObject({ state: RunState.CANCELLED, attempts: 1 });
  });

  it("without an executor, flows keep their own ids and pid", async () => {
    const plain = flow("plain", async () => 1);
    await plain();
    const [run] = await (await history()).listFlowRuns({ name: "plain" });
    expect(run!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(run!.pid).toBe(process.pid);
  });
});
