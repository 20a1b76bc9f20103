import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { RunState } from "../src/index.js";
import { history, useTempHome } from "./helpers.js";

const home = useTempHome("crash");
const entry = pathToFileURL(path.resolve(import.meta.dirname, "../dist/index.js")).href;

/**
 * Starts a child process running a flow whose task prints READY and then does `body`; with
 * `standalone`, the task is called on its own, outside any flow.
 */
function startChild(name: string, body: string, standalone = false): { child: ChildProcess; ready: Promise<void>; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> } {
  const script = path.join(home, `${name}.mjs`);
  writeFileSync(
    script,
    `import { flow, task } from ${JSON.stringify(entry)};
const work = task(${JSON.stringify(standalone ? name : "work")}, async () => {
  process.stdout.write("READY\\n");
  ${body}
  await new Promise((resolve) => setTimeout(resolve, 60_000));
});
${standalone ? "await work();" : `await flow(${JSON.stringify(name)}, async () => work())();`}
`,
  );
  const child = spawn(process.execPath, [script], { env: { ...process.env, SQLBLOCKS_HOME: home }, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (chunk) => {
    stderr += String(chunk);
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk) => {
      if (String(chunk).includes("READY")) resolve();
    });
    child.once("exit", () => reject(new Error(`child exited before READY: ${stderr}`)));
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, ready, exited };
}

async function runsOf(name: string) {
  const store = await history();
  const [run] = await store.listFlowRuns({ name });
  expect(run).toBeDefined();
  return { run: run!, tasks: await store.listTaskRuns(run!.id), logs: await store.logs(run!.id) };
}

describe("a process interrupted mid-run leaves its runs CRASHED", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`on ${signal}: marks the runs CRASHED, then dies of the signal`, async () => {
      const name = `by-${signal.toLowerCase()}`;
      const { child, ready, exited } = startChild(name, "");
      await ready;
      child.kill(signal);
      const result = await exited;
      expect(result.signal).toBe(signal);
      const { run, tasks, logs } = await runsOf(name);
      expect(run).toMatchObject({ state: RunState.CRASHED, error: `Execution was interrupted by ${signal}.` });
      expect(run.endedAt).toBeDefined();
      expect(tasks.map((t) => t.state)).toEqual([RunState.CRASHED]);
      expect(logs.map((l) => l.message)).toContain(`Crash detected! Execution was interrupted by ${signal}.`);
    });
  }

  it("on an uncaught exception: CRASHED with the error, secrets masked", async () => {
    const { exited } = startChild(
      "by-exception",
      `setTimeout(() => { throw new Error("bug near postgresql://app:canary-pw@db/shop"); }, 20);`,
    );
    const result = await exited;
    expect(result.code).toBe(1);
    const { run, tasks } = await runsOf("by-exception");
    expect(run.state).toBe(RunState.CRASHED);
    expect(run.error).toBe("Execution was interrupted by an uncaught exception: Error: bug near postgresql://app:********@db/shop");
    expect(tasks.map((t) => t.state)).toEqual([RunState.CRASHED]);
  });

  it("on process.exit(): CRASHED", async () => {
    const { exited } = startChild("by-exit", "setTimeout(() => process.exit(3), 20);");
    expect((await exited).code).toBe(3);
    const { run, tasks } = await runsOf("by-exit");
    expect(run).toMatchObject({ state: RunState.CRASHED, error: "The process exited (code 3) before the run finished." });
    expect(tasks.map((t) => t.state)).toEqual([RunState.CRASHED]);
  });

  it("on SIGKILL: the next listing shows the runs of the dead process CRASHED", async () => {
    const { child, ready, exited } = startChild("by-sigkill", "");
    await ready;
    // Let the task run's batch reach the store before the process dies.
    await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill("SIGKILL");
    await exited;
    const { run, tasks } = await runsOf("by-sigkill");
    expect(run.state).toBe(RunState.CRASHED);
    expect(run.error).toMatch(/^the process running it \(pid \d+ on .+\) ended before the run finished$/);
    expect(tasks.map((t) => t.state)).toEqual([RunState.CRASHED]);
  });

  it("on SIGKILL: a task called outside a flow is shown CRASHED too", async () => {
    const { child, ready, exited } = startChild("standalone-sigkill", "", true);
    await ready;
    await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill("SIGKILL");
    await exited;
    const store = await history();
    const row = await store.db.get<{ id: string }>("SELECT id FROM task_runs WHERE flow_run_id IS NULL AND name = ?", [
      "standalone-sigkill",
    ]);
    expect(row).toBeDefined();
    expect((await store.getTaskRun(row!.id))?.state).toBe(RunState.RUNNING);
    expect(await store.settleCrashedRuns()).toBe(1);
    const task = await store.getTaskRun(row!.id);
    expect(task?.state).toBe(RunState.CRASHED);
    expect(task?.error).toMatch(/^the process running it \(pid \d+ on .+\) ended before the run finished$/);
  });
});
