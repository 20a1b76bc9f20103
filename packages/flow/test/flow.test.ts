import { setTimeout as sleep } from "node:timers/promises";
import { Secret, SqlBlocksError } from "@sqlblocks/core";
import { beforeEach, describe, expect, expectTypeOf, it } from "vitest";
import {
  currentRunContext,
  durationBetween,
  type Flow,
  flow,
  getRunContext,
  getRunLogger,
  InvalidRunOptionsError,
  isTransientError,
  MissingRunContextError,
  type RunContext,
  RunState,
  type Task,
  TaskTimeoutError,
  task,
} from "../src/index.js";
import { captureConsole, history, useTempHome } from "./helpers.js";

useTempHome("flow");
const output = captureConsole();
beforeEach(() => output.clear());

class TransientError extends SqlBlocksError {
  override readonly transient = true;
  constructor(message: string) {
    super("TEST_TRANSIENT", message);
  }
}

describe("flow() and task()", () => {
  it("keep the wrapped function's parameter and result types", () => {
    const add = task("add", (a: number, b: number) => a + b);
    const greet = flow({ name: "greet" }, async (who: string) => `hi ${who}`);
    expectTypeOf(add).toExtend<Task<[number, number], number>>();
    expectTypeOf(add).parameters.toEqualTypeOf<[number, number]>();
    expectTypeOf(add).returns.toEqualTypeOf<Promise<number>>();
    expectTypeOf(greet).toExtend<Flow<[string], Promise<string>>>();
    expectTypeOf(greet).returns.toEqualTypeOf<Promise<string>>();
    expect(add.name).toBe("add");
    expect(add.kind).toBe("task");
    expect(greet.options.retries).toBe(0);
  });

  it("takes the name from the function when none is given", () => {
    const named = task(async function loadCustomers() {});
    expect(named.options.name).toBe("loadCustomers");
    expect(() => task(async () => {})).toThrow(InvalidRunOptionsError);
  });

  it("rejects invalid options with a clear error", () => {
    expect(() => task({ name: "t", retries: -1 }, () => 1)).toThrow(/retries must be a whole number/);
    expect(() => task({ name: "t", timeoutMs: 0 }, () => 1)).toThrow(/timeoutMs must be a number > 0/);
    expect(() => task({ name: "t", retryDelayMs: [1, -2] }, () => 1)).toThrow(/retryDelayMs\[1\]/);
  });

  it("records a COMPLETED flow run with its COMPLETED task runs, timings and attempts", async () => {
    const double = task("double", async (n: number) => n * 2);
    const describeNumber = task("describe", (n: number) => `n=${n}`);
    const pipeline = flow({ name: "pipeline", tags: ["test"] }, async (n: number) => describeNumber(await double(n)));

    await expect(pipeline(21)).resolves.toBe("n=42");

    const store = await history();
    const [run] = await store.listFlowRuns({ name: "pipeline" });
    expect(run).toMatchObject({ name: "pipeline", state: RunState.COMPLETED, attempts: 1, tags: ["test"], pid: process.pid });
    expect(run!.error).toBeUndefined();
    expect(durationBetween(run!.startedAt, run!.endedAt)).toBeGreaterThanOrEqual(0);
    const tasks = await store.listTaskRuns(run!.id);
    expect(tasks.map((t) => [t.name, t.state, t.attempts, t.flowRunId])).toEqual([
      ["double", RunState.COMPLETED, 1, run!.id],
      ["describe", RunState.COMPLETED, 1, run!.id],
    ]);
    for (const t of tasks) expect(t.startedAt! <= t.endedAt!).toBe(true);
    const messages = (await store.logs(run!.id)).map((l) => l.message);
    expect(messages).toContain(`Beginning flow run '${run!.id}' for flow 'pipeline'`);
    expect(messages.filter((m) => m === "Finished in state Completed()")).toHaveLength(3);
  });

  it("prints Prefect-style console lines", async () => {
    const step = task("step", async () => getRunLogger().info("working on %s", "it"));
    await flow("printer", async () => step())();
    expect(output.lines.some((l) => /^\d\d:\d\d:\d\d\.\d{3} \| INFO {4}\| Flow run 'printer' - Beginning flow run '[0-9a-f-]{36}' for flow 'printer'$/.test(l))).toBe(true);
    expect(output.lines).toContainEqual(expect.stringMatching(/ \| INFO {4}\| Task run 'step-0' - working on it$/));
    expect(output.lines).toContainEqual(expect.stringMatching(/ \| INFO {4}\| Task run 'step-0' - Finished in state Completed\(\)$/));
  });

  it("a failing task fails its flow with the task's error", async () => {
    const boom = task("boom", async () => {
      throw new Error("kaput");
    });
    const failing = flow("failing", async () => {
      await boom();
      return "never";
    });
    await expect(failing()).rejects.toThrow("kaput");
    const store = await history();
    const [run] = await store.listFlowRuns({ name: "failing" });
    expect(run).toMatchObject({ state: RunState.FAILED, error: "Error: kaput" });
    const [taskRun] = await store.listTaskRuns(run!.id);
    expect(taskRun).toMatchObject({ state: RunState.FAILED, error: "Error: kaput", attempts: 1 });
    expect(output.text()).toMatch(/ERROR {3}\| Task run 'boom-0' - Finished in state Failed\('Task run encountered an exception Error: kaput'\)/);
  });

  it("a flow that catches a failing task completes", async () => {
    const boom = task("boom", async () => {
      throw new Error("handled");
    });
    const tolerant = flow("tolerant", async () => {
      try {
        await boom();
      } catch {
        return "recovered";
      }
    });
    await expect(tolerant()).resolves.toBe("recovered");
    const store = await history();
    const [run] = await store.listFlowRuns({ name: "tolerant" });
    expect(run!.state).toBe(RunState.COMPLETED);
    expect((await store.listTaskRuns(run!.id))[0]!.state).toBe(RunState.FAILED);
  });

  it("masks URL passwords in stored errors and log lines", async () => {
    const leaky = task("leaky", async () => {
      getRunLogger().info("connecting to postgresql://app:canary-s3cret@db/shop with %s", new Secret("canary-s3cret"));
      throw new Error("cannot reach postgresql://app:canary-s3cret@db:5432/shop");
    });
    await expect(flow("leaky-flow", leaky)()).rejects.toThrow();
    const store = await history();
    const [run] = await store.listFlowRuns({ name: "leaky-flow" });
    const logs = await store.logs(run!.id);
    const stored = JSON.stringify([run, await store.listTaskRuns(run!.id), logs]);
    expect(stored).not.toContain("canary-s3cret");
    expect(output.text()).not.toContain("canary-s3cret");
    expect(run!.error).toBe("Error: cannot reach postgresql://app:********@db:5432/shop");
  });
});

describe("retries", () => {
  it("a task failing twice then succeeding with retries: 2 ends COMPLETED after 3 attempts", async () => {
    let calls = 0;
    const attempts: number[] = [];
    const flaky = task({ name: "flaky", retries: 2, retryDelayMs: 5 }, async () => {
      attempts.push(getRunContext().attempt);
      calls++;
      if (calls < 3) throw new Error(`failure ${calls}`);
      return "ok";
    });
    const retrying = flow("retrying", async () => flaky());
    await expect(retrying()).resolves.toBe("ok");
    expect(attempts).toEqual([1, 2, 3]);
    const store = await history();
    const [run] = await store.listFlowRuns({ name: "retrying" });
    const [taskRun] = await store.listTaskRuns(run!.id);
    expect(taskRun).toMatchObject({ state: RunState.COMPLETED, attempts: 3 });
    expect(taskRun!.error).toBeUndefined();
    const warnings = (await store.logs(run!.id)).filter((l) => l.level === "WARNING").map((l) => l.message);
    expect(warnings).toEqual([
      "Task run failed with exception: Error: failure 1 - Retry 1/2 will start 5 ms from now",
      "Task run failed with exception: Error: failure 2 - Retry 2/2 will start 5 ms from now",
    ]);
  });

  it("fails after the last retry with the last error", async () => {
    let calls = 0;
    const hopeless = task({ name: "hopeless", retries: 1 }, async () => {
      throw new Error(`attempt ${++calls}`);
    });
    await expect(flow("hopeless-flow", hopeless)()).rejects.toThrow("attempt 2");
    const store = await history();
    const [run] = await store.listFlowRuns({ name: "hopeless-flow" });
    expect((await store.listTaskRuns(run!.id))[0]).toMatchObject({ state: RunState.FAILED, attempts: 2, error: "Error: attempt 2" });
  });

  it("a retryCondition that refuses an error stops the retries", async () => {
    const seen: unknown[] = [];
    let calls = 0;
    const picky = task(
      {
        name: "picky",
        retries: 5,
        retryCondition: (error, info) => {
          seen.push(info);
          return isTransientError(error);
        },
      },
      async () => {
        calls++;
        if (calls === 1) throw new TransientError("deadlock");
        throw new Error("syntax error");
      },
    );
    await expect(flow("picky-flow", picky)()).rejects.toThrow("syntax error");
    expect(calls).toBe(2);
    expect(seen).toEqual([
      { attempt: 1, runName: "picky" },
      { attempt: 2, runName: "picky" },
    ]);
    const store = await history();
    const [run] = await store.listFlowRuns({ name: "picky-flow" });
    expect((await store.listTaskRuns(run!.id))[0]).toMatchObject({ state: RunState.FAILED, attempts: 2 });
    expect((await store.logs(run!.id)).map((l) => l.message)).toContain("Not retrying: retryCondition refused Error: syntax error");
  });

  it("waits retryDelayMs between attempts, list entries in order", async () => {
    const times: number[] = [];
    const slow = task({ name: "slow", retries: 2, retryDelayMs: [30, 60] }, async () => {
      times.push(performance.now());
      if (times.length < 3) throw new Error("again");
    });
    await flow("delays", slow)();
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(25);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(55);
  });

  it("retries flows too", async () => {
    let calls = 0;
    const wobbly = flow({ name: "wobbly", retries: 1 }, async () => {
      if (++calls === 1) throw new Error("first");
      return calls;
    });
    await expect(wobbly()).resolves.toBe(2);
    const [run] = await (await history()).listFlowRuns({ name: "wobbly" });
    expect(run).toMatchObject({ state: RunState.COMPLETED, attempts: 2 });
  });
});

describe("timeouts", () => {
  it("a timeout ends the task FAILED with a TaskTimeoutError and aborts its signal", async () => {
    let seenSignal: AbortSignal | undefined;
    const stuck = task({ name: "stuck", timeoutMs: 50 }, async () => {
      seenSignal = getRunContext().signal;
      await sleep(5_000, undefined, { signal: seenSignal });
    });
    const started = performance.now();
    const error = await flow("stuck-flow", stuck)().catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(TaskTimeoutError);
    expect((error as TaskTimeoutError).code).toBe("SQLBLOCKS_RUN_TIMEOUT");
    expect((error as Error).message).toBe("task run 'stuck-0' timed out after 50 ms: raise timeoutMs or make the task faster");
    expect(seenSignal?.aborted).toBe(true);
    expect(seenSignal?.reason).toBe(error);
    const store = await history();
    const [run] = await store.listFlowRuns({ name: "stuck-flow" });
    expect(run!.state).toBe(RunState.FAILED);
    expect((await store.listTaskRuns(run!.id))[0]).toMatchObject({
      state: RunState.FAILED,
      error: expect.stringContaining("TaskTimeoutError: task run 'stuck-0' timed out after 50 ms"),
    });
  });

  it("timeouts are retried like other errors, each attempt with a fresh signal", async () => {
    const signals: AbortSignal[] = [];
    const sometimesSlow = task({ name: "sometimes-slow", timeoutMs: 40, retries: 1 }, async () => {
      signals.push(getRunContext().signal);
      if (signals.length === 1) await sleep(1_000, undefined, { signal: getRunContext().signal }).catch(() => undefined);
      return "done";
    });
    await expect(flow("retry-timeout", sometimesSlow)()).resolves.toBe("done");
    expect(signals.map((s) => s.aborted)).toEqual([true, false]);
  });

  it("a flow timeout cancels the task runs still running", async () => {
    let taskSignal: AbortSignal | undefined;
    const long = task("long", async () => {
      taskSignal = getRunContext().signal;
      await sleep(5_000, undefined, { signal: taskSignal });
    });
    const limited = flow({ name: "limited", timeoutMs: 50 }, async () => long());
    await expect(limited()).rejects.toThrow("flow run 'limited' timed out after 50 ms");
    await sleep(10);
    expect(taskSignal?.aborted).toBe(true);
    const store = await history();
    const [run] = await store.listFlowRuns({ name: "limited" });
    expect(run!.state).toBe(RunState.FAILED);
    const [taskRun] = await store.listTaskRuns(run!.id);
    expect(taskRun!.state).toBe(RunState.CANCELLED);
    expect(taskRun!.error).toMatch(/RunCancelledError: task run 'long-0' was cancelled: its flow run 'limited' stopped/);
  });
});

describe("concurrency", () => {
  it("runs tasks concurrently with Promise.all", async () => {
    let running = 0;
    let peak = 0;
    const work = task("work", async (n: number) => {
      running++;
      peak = Math.max(peak, running);
      await sleep(20);
      running--;
      return n;
    });
    const fanOut = flow("fan-out", async () => Promise.all([1, 2, 3].map((n) => work(n))));
    await expect(fanOut()).resolves.toEqual([1, 2, 3]);
    expect(peak).toBe(3);
    const store = await history();
    const [run] = await store.listFlowRuns({ name: "fan-out" });
    const tasks = await store.listTaskRuns(run!.id);
    expect(tasks.map((t) => t.state)).toEqual([RunState.COMPLETED, RunState.COMPLETED, RunState.COMPLETED]);
  });

  it("task.map keeps order and respects concurrency", async () => {
    let running = 0;
    let peak = 0;
    const square = task("square", async (n: number) => {
      running++;
      peak = Math.max(peak, running);
      await sleep(10 + (5 - n) * 3);
      running--;
      return n * n;
    });
    const mapped = flow("mapped", async () => square.map([1, 2, 3, 4, 5], { concurrency: 2 }));
    await expect(mapped()).resolves.toEqual([1, 4, 9, 16, 25]);
    expect(peak).toBe(2);
    const store = await history();
    const [run] = await store.listFlowRuns({ name: "mapped" });
    expect((await store.listTaskRuns(run!.id)).filter((t) => t.state === RunState.COMPLETED)).toHaveLength(5);
  });

  it("task.map stops starting items after a failure; the rest end CANCELLED", async () => {
    const started: number[] = [];
    const check = task("check", async (n: number) => {
      started.push(n);
      await sleep(5);
      if (n === 2) throw new Error("item 2 is bad");
      return n;
    });
    await expect(flow("map-fail", async () => check.map([1, 2, 3, 4], { concurrency: 1 }))()).rejects.toThrow("item 2 is bad");
    expect(started).toEqual([1, 2]);
    const store = await history();
    const [run] = await store.listFlowRuns({ name: "map-fail" });
    const states = (await store.listTaskRuns(run!.id)).map((t) => t.state);
    expect(states).toEqual([RunState.COMPLETED, RunState.FAILED, RunState.CANCELLED, RunState.CANCELLED]);
  });

  it("task.map rejects a bad concurrency", async () => {
    const noop = task("noop", async (_n: number) => {});
    await expect(noop.map([1], { concurrency: 0 })).rejects.toThrow(InvalidRunOptionsError);
    await expect(noop.map([])).resolves.toEqual([]);
  });
});

describe("run context and logger", () => {
  it("getRunContext() throws outside a run; currentRunContext() gives undefined", () => {
    expect(() => getRunContext()).toThrow(MissingRunContextError);
    expect(currentRunContext()).toBeUndefined();
  });

  it("tasks see their flow run in their context", async () => {
    let context: RunContext | undefined;
    const inner = task({ name: "inner", tags: ["a"] }, async () => {
      context = getRunContext();
    });
    await flow("outer", async () => inner())();
    expect(context).toMatchObject({ kind: "task", name: "inner", runName: "inner-0", attempt: 1, tags: ["a"] });
    expect(context!.parent).toMatchObject({ kind: "flow", name: "outer" });
    expect(context!.flowRunId).toBe(context!.parent!.runId);
  });

  it("getRunLogger() outside a run prints without storing", () => {
    getRunLogger().warning("careful");
    expect(output.lines).toContainEqual(expect.stringMatching(/\| WARNING \| careful$/));
  });

  it("a task called outside a flow runs and is recorded as a task run without a flow", async () => {
    const alone = task("alone", async (x: string) => x.toUpperCase());
    await expect(alone("solo")).resolves.toBe("SOLO");
    const store = await history();
    const rows = await store.db.all<{ id: string; flow_run_id: string | null; state: string }>(
      "SELECT id, flow_run_id, state FROM task_runs WHERE name = 'alone'",
    );
    expect(rows).toEqual([{ id: expect.any(String), flow_run_id: null, state: RunState.COMPLETED }]);
    const logs = await store.logs(rows[0]!.id);
    expect(logs.map((l) => l.message)).toContain("Finished in state Completed()");
  });

  it("a flow called inside a flow is a flow run of its own", async () => {
    const child = flow("child-flow", async () => getRunContext().parent?.name);
    await expect(flow("parent-flow", async () => child())()).resolves.toBe("parent-flow");
    const store = await history();
    expect((await store.listFlowRuns({ name: "child-flow" }))[0]!.state).toBe(RunState.COMPLETED);
  });
});
