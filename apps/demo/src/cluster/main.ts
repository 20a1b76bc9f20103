import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { closeDefaultStores, getDefaultStore, SqlConnector } from "@sqlblocks/core";
import { DurableClient, resolveDurableConfig } from "@sqlblocks/dbos";
import { RunHistory } from "@sqlblocks/flow";

// `pnpm demo:cluster`: three workers, twenty quickstart runs, one worker killed with SIGKILL
// mid-way and restarted, then the table of runs per worker.

const RUNS = 20;
const here = path.dirname(fileURLToPath(import.meta.url));
const appDir = path.resolve(here, "../..");
const cliBin = path.join(path.dirname(createRequire(import.meta.url).resolve("sqlblocks")), "bin.js");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const say = (line: string) => console.log(`[cluster] ${line}`);

/**
 * The environment the workers share. The run history goes to `SQLBLOCKS_STORE_URL` when this
 * @sqlblocks/core keeps runs on PostgreSQL; otherwise to one SQLBLOCKS_HOME shared by all.
 */
async function clusterEnv(): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (!env.SQLBLOCKS_STORE_URL && !env.SQLBLOCKS_DBOS_DATABASE_URL) {
    throw new Error("pnpm demo:cluster needs PostgreSQL: SQLBLOCKS_STORE_URL=postgresql://postgres@127.0.0.1:5432/test pnpm demo:cluster");
  }
  const config = resolveDurableConfig(env);
  env.SQLBLOCKS_DBOS_DATABASE_URL = config.systemDatabaseUrl;
  env.SQLBLOCKS_WORKER_HEARTBEAT_MS ??= "1000";
  env.SQLBLOCKS_WORKER_TAKEOVER_AFTER_MS ??= "15000";
  try {
    await getDefaultStore();
  } catch {
    // This core cannot keep runs in PostgreSQL yet: share one embedded store instead.
    delete env.SQLBLOCKS_STORE_URL;
    env.SQLBLOCKS_HOME = mkdtempSync(path.join(os.tmpdir(), "sqlblocks-cluster-"));
    Object.assign(process.env, { SQLBLOCKS_HOME: env.SQLBLOCKS_HOME, SQLBLOCKS_DBOS_DATABASE_URL: env.SQLBLOCKS_DBOS_DATABASE_URL });
    delete process.env.SQLBLOCKS_STORE_URL;
    await closeDefaultStores();
    say(`run history: shared embedded store ${env.SQLBLOCKS_HOME} (this @sqlblocks/core has no PostgreSQL store)`);
  }
  return env;
}

function startWorker(env: NodeJS.ProcessEnv, id: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--no-deprecation", cliBin, "worker", path.join(here, "deployments.js"), "--id", id], {
    cwd: appDir,
    env: { ...env, SQLBLOCKS_LOGGING_LEVEL: "WARNING" },
    stdio: ["ignore", "inherit", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let output = "";
    child.stderr!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(`worker ${id} started`)) resolve(child);
      for (const line of chunk.toString().split("\n")) if (/took over|error/i.test(line)) say(`${id}: ${line.trim()}`);
    });
    child.once("exit", (code, signal) => reject(new Error(`worker ${id} exited (${signal ?? code}) before it started:\n${output}`)));
  });
}

async function main(): Promise<void> {
  const env = await clusterEnv();
  const block = "cluster-quickstart-block";
  const dbFile = path.join(mkdtempSync(path.join(os.tmpdir(), "sqlblocks-cluster-db-")), "demo.db");
  await new SqlConnector({ connectionInfo: `sqlite+better-sqlite3:///${dbFile}` }).save(block, { overwrite: true });

  const workers = new Map<string, ChildProcess>();
  for (const id of ["worker-1", "worker-2", "worker-3"]) workers.set(id, await startWorker(env, id));
  say(`3 workers up; enqueueing ${RUNS} quickstart runs`);

  const client = await DurableClient.open(resolveDurableConfig(env));
  try {
    const ids: string[] = [];
    for (let i = 0; i < RUNS; i++) ids.push(await client.enqueue("quickstart", { block }));
    const states = async () => Promise.all(ids.map(async (id) => (await client.status(id))?.status ?? "UNKNOWN"));

    // Mid-way: kill worker-2 while it runs something, then bring it back.
    const victim = "worker-2";
    for (let tries = 0; tries < 1200; tries++) {
      const statuses = await Promise.all(ids.map((id) => client.status(id)));
      const done = statuses.filter((s) => s?.status === "SUCCESS").length;
      if (done >= RUNS / 4 && statuses.some((s) => s?.status === "PENDING" && s.workerId === victim)) break;
      await sleep(50);
    }
    const inFlight = (await Promise.all(ids.map((id) => client.status(id)))).filter((s) => s?.status === "PENDING" && s.workerId === victim).map((s) => s!.id);
    workers.get(victim)!.kill("SIGKILL");
    say(`SIGKILL ${victim} with ${inFlight.length} run(s) in flight; ${(await states()).filter((s) => s === "SUCCESS").length}/${RUNS} done`);
    await sleep(1500);
    workers.set(victim, await startWorker(env, victim));
    say(`${victim} restarted: it recovers its unfinished runs`);

    const deadline = Date.now() + 120_000;
    for (;;) {
      const current = await states();
      if (current.every((s) => s === "SUCCESS")) break;
      if (current.some((s) => s === "ERROR" || s === "CANCELLED")) throw new Error(`a run failed: ${current.join(", ")}`);
      if (Date.now() > deadline) throw new Error(`timed out: ${current.join(", ")}`);
      await sleep(250);
    }

    // The table: who completed what, from DBOS and from the run history.
    const history = new RunHistory((await getDefaultStore()).db);
    const perWorker = new Map<string, { runs: number; recovered: number }>();
    for (const id of ids) {
      const status = await client.status(id);
      const tasks = await history.listTaskRuns(id);
      const row = perWorker.get(status!.workerId ?? "?") ?? { runs: 0, recovered: 0 };
      row.runs++;
      if (inFlight.includes(id) || tasks.some((t) => t.state === "CRASHED")) row.recovered++;
      perWorker.set(status!.workerId ?? "?", row);
    }
    const completed = (await Promise.all(ids.map((id) => history.getFlowRun(id)))).filter((r) => r?.state === "COMPLETED").length;
    console.log(`\nAll ${RUNS} runs COMPLETED (${completed} COMPLETED in the run history).\n`);
    console.log("WORKER     RUNS  RESUMED AFTER THE KILL");
    for (const [id, row] of [...perWorker].sort()) console.log(`${id.padEnd(10)} ${String(row.runs).padStart(4)}  ${row.recovered}`);
    console.log(`\nSee them with: ${env.SQLBLOCKS_HOME ? `SQLBLOCKS_HOME=${env.SQLBLOCKS_HOME} ` : ""}pnpm sqlblocks runs ls`);
  } finally {
    await client.close();
    for (const child of workers.values()) if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await Promise.all([...workers.values()].map((child) => (child.exitCode !== null || child.signalCode !== null ? undefined : new Promise((resolve) => child.once("exit", resolve)))));
    await closeDefaultStores();
  }
}

// DBOS's pg client prints a deprecation warning that says nothing to a demo user.
process.noDeprecation = true;
try {
  await main();
} catch (error) {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
