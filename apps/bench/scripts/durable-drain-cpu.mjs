// Where a durable drain's time goes: W workers (default 1) drain N held flows (default
// 1,000) of 3 point-query tasks, as in D1–D4. Prints flows/s, CPU milliseconds per flow of
// the workers, of PostgreSQL (all its processes, so other users of the server count too)
// and of the whole machine, the machine's idle share during the drain, the flows' own
// latency (dequeue to completion) and how busy the queue's slots were (sum of flow
// latencies / (drain time × 4 × W)). Linux only (/proc).
// Usage: SQLBLOCKS_TEST_PG_URL=postgresql://…/db [SQLBLOCKS_BENCH_POLL_MS=50] node scripts/durable-drain-cpu.mjs [W] [N]
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import { DBOSClient } from "@dbos-inc/dbos-sdk";
import { closeDefaultStores } from "@sqlblocks/core";
import { BenchCluster } from "../dist/workloads/durable-cluster.js";

const workers = Number(process.argv[2] ?? 1);
const flows = Number(process.argv[3] ?? 1000);
const url = process.env.SQLBLOCKS_TEST_PG_URL;
const TICKS = 100;

/** CPU seconds of the processes that match. */
function cpuSeconds(matches) {
  let total = 0;
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (!matches(name, readFileSync(`/proc/${pid}/cmdline`, "utf8"))) continue;
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      total += (Number(fields[11]) + Number(fields[12])) / TICKS;
    } catch {
      // The process ended meanwhile.
    }
  }
  return total;
}
function machine() {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0].split(/\s+/).slice(1).map(Number);
  return { idle: (fields[3] + fields[4]) / TICKS, all: fields.reduce((a, b) => a + b, 0) / TICKS };
}
const isWorker = (_name, cmd) => cmd.includes("\0worker\0") && cmd.includes("\0bench-w");
const isPostgres = (name) => name.startsWith("postgres");

const cluster = new BenchCluster(url);
await cluster.setUp(url);
try {
  const ids = await cluster.enqueue(flows, (i) => ({ block: "bench-pg", base: i * 3 }), { held: true });
  await cluster.startWorkers(workers);
  // As in D1–D4: 50 flows per worker warm the workers up first.
  await cluster.drained(await cluster.enqueue(50 * workers, (i) => ({ block: "bench-pg", base: i * 3 })));
  const before = { workers: cpuSeconds(isWorker), postgres: cpuSeconds(isPostgres), machine: machine() };
  await cluster.release(ids);
  const drain = await cluster.drained(ids);
  const after = { workers: cpuSeconds(isWorker), postgres: cpuSeconds(isPostgres), machine: machine() };
  const all = after.machine.all - before.machine.all;
  const idle = after.machine.idle - before.machine.idle;
  const perFlow = (seconds) => +((seconds / flows) * 1000).toFixed(2);
  const client = await DBOSClient.create({ systemDatabaseUrl: cluster.env.SQLBLOCKS_DBOS_DATABASE_URL, applicationName: cluster.env.SQLBLOCKS_DBOS_APP });
  const statuses = await client.listWorkflows({ workflowIDs: ids, loadInput: false, loadOutput: false });
  await client.destroy();
  const latencies = statuses.map((s) => s.completedAt - s.dequeuedAt).sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      workers,
      flows,
      flowsPerSecond: +((flows / drain.ms) * 1000).toFixed(1),
      cpuMsPerFlow: { workers: perFlow(after.workers - before.workers), postgres: perFlow(after.postgres - before.postgres), machine: perFlow(all - idle) },
      idleShare: +(idle / all).toFixed(2),
      flowLatencyMs: { p50: latencies[Math.floor(latencies.length / 2)], p90: latencies[Math.floor(latencies.length * 0.9)] },
      slotOccupancy: +(latencies.reduce((a, b) => a + b, 0) / (drain.ms * 4 * workers)).toFixed(2),
      load1: +os.loadavg()[0].toFixed(2),
    }),
  );
} finally {
  await cluster.tearDown();
  await closeDefaultStores();
}
process.exit(0);
