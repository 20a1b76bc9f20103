import { closeDefaultStores, getDefaultStore, SqlConnector } from "@sqlblocks/core";
import { flow, RunHistory, RunState, type TaskRunRecord, task } from "@sqlblocks/flow";
import { context, trace, TraceFlags } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DurableClient } from "../src/index.js";
import { CANARY, cli, createCluster, fixture, startWorkerProcess, type TestCluster, waitFor, type WorkerProcess } from "./cluster.js";

// Real worker processes (`sqlblocks worker`) on the PostgreSQL of the tests, in a cluster of
// their own (fresh system database and application name) so parallel runs never collide.
let cluster: TestCluster | undefined;
let skipReason: string | undefined;
let client: DurableClient;
const workers = new Map<string, WorkerProcess>();

async function history(): Promise<RunHistory> {
  return new RunHistory((await getDefaultStore()).db);
}

async function attemptsOf(runId: string): Promise<Map<number, number>> {
  const rows = await cluster!.query<{ task: number; n: string }>("SELECT task, count(*) AS n FROM attempts WHERE run_id = $1 GROUP BY task", [runId]);
  return new Map(rows.map((row) => [row.task, Number(row.n)]));
}

async function finished(runId: string): Promise<string | undefined> {
  const status = await client.status(runId);
  return status && !["ENQUEUED", "PENDING"].includes(status.status) ? status.status : undefined;
}

beforeAll(async () => {
  try {
    cluster = await createCluster();
  } catch (error) {
    if (process.env.CI === "true") throw error;
    skipReason = (error as Error).message;
    console.warn(`[sqlblocks] SKIPPED durable cluster tests: ${skipReason}`);
    return;
  }
  for (const key of ["SQLBLOCKS_HOME", "SQLBLOCKS_DBOS_DATABASE_URL", "SQLBLOCKS_DBOS_APP", "SQLBLOCKS_STORE_URL"]) process.env[key] = cluster.env[key];
  await new SqlConnector({ connectionInfo: cluster.blockUrl }).save("cluster-pg", { overwrite: true });
  workers.set("w1", await startWorkerProcess(cluster, "w1"));
  client = await DurableClient.open();
}, 60_000);

afterAll(async () => {
  for (const worker of workers.values()) await worker.kill("SIGTERM");
  await client?.close();
  await closeDefaultStores();
  await cluster?.destroy();
}, 60_000);

describe("durable workers", () => {
  it("a worker killed with SIGKILL mid-flow and restarted completes the flow; completed tasks ran once", async (context) => {
    if (skipReason) context.skip();
    const runId = await client.enqueue("steps", { block: "cluster-pg", runId: "kill-1", tasks: 5, sleepMs: 600 });
    // Kill while the third task is in flight.
    await waitFor("the third task to start", async () => (await attemptsOf("kill-1")).get(2) === 1);
    await workers.get("w1")!.kill("SIGKILL");
    expect(await client.status(runId)).toMatchObject({ status: "PENDING", workerId: "w1" });
    workers.set("w1", await startWorkerProcess(cluster!, "w1"));
    expect(await waitFor("the run to end", () => finished(runId))).toBe("SUCCESS");
    expect(await client.waitForResult(runId)).toEqual({ state: "COMPLETED", result: 0 + 1 + 2 + 3 + 4 });

    const attempts = await attemptsOf("kill-1");
    expect(attempts.get(0)).toBe(1);
    expect(attempts.get(1)).toBe(1);
    expect(attempts.get(2)).toBeGreaterThanOrEqual(1);
    expect(attempts.get(2)).toBeLessThanOrEqual(2);
    expect(attempts.get(3)).toBe(1);
    expect(attempts.get(4)).toBe(1);
    const effects = await cluster!.query<{ task: number }>("SELECT task FROM effects WHERE run_id = 'kill-1' ORDER BY task");
    expect(effects.map((row) => row.task)).toEqual([0, 1, 2, 3, 4]);

    // One history: the flow run under the id `sqlblocks run` printed, its task runs, the
    // interrupted one CRASHED, statements and logs, and the worker that ran each task.
    const runs = await history();
    const flowRun = await runs.getFlowRun(runId);
    expect(flowRun).toMatchObject({ state: RunState.COMPLETED, name: "steps" });
    const tasks = await runs.listTaskRuns(runId);
    const completed = tasks.filter((t: TaskRunRecord) => t.state === RunState.COMPLETED);
    expect(completed).toHaveLength(5);
    expect(tasks.filter((t: TaskRunRecord) => t.state === RunState.CRASHED).length).toBe(attempts.get(2)! - 1);
    expect(completed.every((t: TaskRunRecord) => t.tags.includes("worker:w1"))).toBe(true);
    const statements = await runs.logs(runId, { kind: "statement" });
    // The interrupted attempt was killed in its pause, before its effect statement.
    expect(statements.filter((s) => s.message.includes("INSERT INTO effects")).length).toBe(5);
    const shown = await cli(cluster!, ["runs", "show", runId]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain("COMPLETED");
  }, 90_000);

  it("global concurrency is never exceeded across three workers (from the run records)", async (context) => {
    if (skipReason) context.skip();
    workers.set("w2", await startWorkerProcess(cluster!, "w2"));
    workers.set("w3", await startWorkerProcess(cluster!, "w3"));
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push(await client.enqueue("limited", { ms: 400 }));
    for (const id of ids) expect(await waitFor("a limited run", () => finished(id))).toBe("SUCCESS");
    const runs = await history();
    const records = await Promise.all(ids.map((id) => runs.getFlowRun(id)));
    const events = records.flatMap((r) => [
      { at: Date.parse(r!.startedAt!), delta: 1 },
      { at: Date.parse(r!.endedAt!), delta: -1 },
    ]);
    events.sort((a, b) => a.at - b.at || a.delta - b.delta);
    let running = 0;
    let peak = 0;
    for (const event of events) {
      running += event.delta;
      peak = Math.max(peak, running);
    }
    expect(peak).toBeLessThanOrEqual(2);
    expect(peak).toBe(2);
    const statuses = await Promise.all(ids.map((id) => client.status(id)));
    expect(new Set(statuses.map((s) => s!.workerId)).size).toBeGreaterThan(1);
  }, 90_000);

  it("a cancelled run ends CANCELLED and its pending tasks never start", async (context) => {
    if (skipReason) context.skip();
    const runId = await client.enqueue("steps", { block: "cluster-pg", runId: "cancel-1", tasks: 5, sleepMs: 3000 });
    await waitFor("the second task to start", async () => (await attemptsOf("cancel-1")).get(1) === 1);
    const cancelled = await cli(cluster!, ["runs", "cancel", runId.slice(0, 13)]);
    const cancelledAt = Date.now();
    expect(cancelled.stderr).toBe("");
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toContain(runId);
    expect(await waitFor("the run to end", () => finished(runId))).toBe("CANCELLED");
    const runs = await history();
    expect((await waitFor("the CANCELLED record", async () => {
      const run = await runs.getFlowRun(runId);
      return run?.state === RunState.CANCELLED && run;
    })).state).toBe(RunState.CANCELLED);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    // The tasks that had started ran; none started after the cancel request.
    const attempts = await cluster!.query<{ task: number; at: Date }>("SELECT task, at FROM attempts WHERE run_id = 'cancel-1' ORDER BY task");
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(attempts.length).toBeLessThan(5);
    for (const attempt of attempts) expect(attempt.at.getTime()).toBeLessThan(cancelledAt);
    const tasks = await runs.listTaskRuns(runId);
    expect(tasks).toHaveLength(attempts.length);
    const waited = await cli(cluster!, ["run", "steps", "--wait", "--param", "block=cluster-pg", "--param", "runId=cancel-2", "--param", "tasks=2", "--param", "sleepMs=1"]);
    expect(waited.code).toBe(0);
    expect(waited.stdout.trim().split("\n")).toEqual([expect.stringMatching(/^[0-9a-f-]{36}$/), "1"]);
  }, 90_000);

  it("another worker keeps draining while one is down; a worker that never returns is taken over", async (context) => {
    if (skipReason) context.skip();
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push(await client.enqueue("drain", { ms: 1500 }));
    const onW1 = await waitFor("a run started by w1", async () => {
      for (const id of ids) {
        const status = await client.status(id);
        if (status?.status === "PENDING" && status.workerId === "w1") return id;
      }
      return undefined;
    });
    await workers.get("w1")!.kill("SIGKILL");
    workers.delete("w1");
    const downSince = Date.now();
    // While w1 is down (and before the takeover timeout), w2 and w3 complete runs.
    await waitFor("runs completed by others while w1 is down", async () => {
      const statuses = await Promise.all(ids.map((id) => client.status(id)));
      return statuses.filter((s) => s?.status === "SUCCESS" && s.workerId !== "w1").length >= 2;
    });
    expect(Date.now() - downSince).toBeLessThan(4000 + 2000);
    for (const id of ids) expect(await waitFor("every drain run", () => finished(id), 40_000)).toBe("SUCCESS");
    const taken = await client.status(onW1);
    expect(taken?.workerId).not.toBe("w1");
    const output = [...workers.values()].map((w) => w.output()).join("\n");
    expect(output).toMatch(/took over 1 unfinished run\(s\) of worker w1/);
  }, 90_000);

  it("a schedule fires within 5 s of its time", async (context) => {
    if (skipReason) context.skip();
    // Ticks scheduled from now on (all workers up; the earlier ones waited for restarts).
    const since = new Date();
    const ticks = await waitFor("two scheduled runs", async () => {
      const rows = await cluster!.query<{ scheduled_at: Date; ran_at: Date }>("SELECT scheduled_at, ran_at FROM ticks WHERE scheduled_at > $1 ORDER BY scheduled_at", [since]);
      return rows.length >= 2 && rows;
    }, 20_000);
    for (const tick of ticks) {
      const lateness = tick.ran_at.getTime() - tick.scheduled_at.getTime();
      expect(lateness).toBeGreaterThanOrEqual(0);
      expect(lateness).toBeLessThan(5000);
    }
  }, 30_000);

  it("bad input is one line, exit 1 or 2, and enqueues nothing", async (context) => {
    if (skipReason) context.skip();
    const listed = await cli(cluster!, ["deployments", "ls"]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^limited +nap +limited +2\/worker, 2 in all/m);
    expect(listed.stdout).toMatch(/^ticker .*\*\/3 \* \* \* \* \*/m);
    // Defaults are shown redacted, as on the web page.
    expect(listed.stdout).toMatch(/^masked .*"apiToken":"\*\*\*\*\*\*\*\*"/m);
    const listedJson = await cli(cluster!, ["deployments", "ls", "--json"]);
    for (const output of [listed.stdout, listedJson.stdout]) expect(output).not.toContain("tok-in-code-not-for-display");
    const before = (await client.listRuns()).length;
    const cases: [string[], NodeJS.ProcessEnv, number, RegExp][] = [
      [["worker", fixture("empty.mjs"), "--id", "bad"], {}, 1, /exports no deployment/],
      [["run", "no-such-deployment"], {}, 1, /no deployment named "no-such-deployment"/],
      [["run", "steps", "--param", "x={oops"], {}, 2, /looks like JSON but does not parse/],
      [["run", "steps", "--param", "novalue"], {}, 2, /is not key=value/],
      [["run", "steps"], { SQLBLOCKS_DBOS_DATABASE_URL: "postgresql://postgres@127.0.0.1:1/nowhere" }, 1, /cannot reach the durable-run database/],
      [["run", "steps"], { SQLBLOCKS_DBOS_DATABASE_URL: "", SQLBLOCKS_STORE_URL: "postgresql://postgres@127.0.0.1:1/nowhere" }, 1, /cannot connect|127\.0\.0\.1:1/],
      [["deployments", "ls"], { SQLBLOCKS_DBOS_DATABASE_URL: "", SQLBLOCKS_STORE_URL: "" }, 2, /durable runs need PostgreSQL/],
    ];
    for (const [args, env, code, message] of cases) {
      const result = await cli(cluster!, args, env);
      expect(result.code, args.join(" ")).toBe(code);
      expect(result.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    }
    expect((await client.listRuns()).length).toBe(before);
  }, 60_000);

  it("a run continues the trace of the process that enqueued it (W3C trace context)", async (testContext) => {
    if (skipReason) return testContext.skip(skipReason);
    await cluster!.query("CREATE TABLE IF NOT EXISTS traces (run_id text PRIMARY KEY, trace_id text NOT NULL)");
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    try {
      const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
      const parent = trace.wrapSpanContext({ traceId, spanId: "00f067aa0ba902b7", traceFlags: TraceFlags.SAMPLED });
      const runId = await context.with(trace.setSpan(context.active(), parent), () =>
        client.enqueue("traced", { block: "cluster-pg", runId: "trace-run" }),
      );
      await waitFor("the traced run", () => finished(runId), 60_000);
      const rows = await cluster!.query<{ trace_id: string }>("SELECT trace_id FROM traces WHERE run_id = 'trace-run'");
      expect(rows).toEqual([{ trace_id: traceId }]);
      // Enqueued outside any span: the run starts a trace of its own, not a made-up parent.
      const orphan = await client.enqueue("traced", { block: "cluster-pg", runId: "orphan-run" });
      await waitFor("the untraced run", () => finished(orphan), 60_000);
      const [untraced] = await cluster!.query<{ trace_id: string }>("SELECT trace_id FROM traces WHERE run_id = 'orphan-run'");
      expect(untraced?.trace_id).not.toBe(traceId);
    } finally {
      context.disable();
    }
  });

  it("cancel and resume say so for in-process runs", async (context) => {
    if (skipReason) context.skip();
    const inProcess = flow("in-process", async () => task("t", async () => 1)());
    await inProcess();
    const [run] = await (await history()).listFlowRuns({ name: "in-process", limit: 1 });
    for (const verb of ["cancel", "resume"]) {
      const result = await cli(cluster!, ["runs", verb, run!.id]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/ran in-process .* only durable runs can be cancelled or resumed/);
    }
  });

  it("no block secret reaches worker logs or DBOS's tables", async (context) => {
    if (skipReason) context.skip();
    const logs = [...workers.values()].map((w) => w.output()).join("\n");
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(CANARY);
    const tables = await cluster!.query<{ table_schema: string; table_name: string }>(
      "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema IN ('dbos', 'sqlblocks') AND table_type = 'BASE TABLE'",
    );
    expect(tables.length).toBeGreaterThan(3);
    for (const table of tables) {
      const rows = await cluster!.query<{ dump: string }>(`SELECT coalesce(string_agg(t::text, '\n'), '') AS dump FROM "${table.table_schema}"."${table.table_name}" t`);
      expect(rows[0]!.dump, `${table.table_schema}.${table.table_name}`).not.toContain(CANARY);
    }
    // The inputs are there, with block names only.
    const inputs = await cluster!.query<{ dump: string }>("SELECT string_agg(t::text, '') AS dump FROM dbos.workflow_input t");
    expect(inputs[0]!.dump).toContain("cluster-pg");
  });
});
