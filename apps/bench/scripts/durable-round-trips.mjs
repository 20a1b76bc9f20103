// The statements one worker sends to PostgreSQL for N durable flows of T tasks (one point
// query each), counted by scripts/count-pg-queries.cjs in the worker.
// Usage (after `pnpm build`): SQLBLOCKS_TEST_PG_URL=postgresql://…/db node scripts/durable-round-trips.mjs [flows=100] [tasks=3]
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { closeDefaultStores } from "@sqlblocks/core";
import { BenchCluster } from "../dist/workloads/durable-cluster.js";

const flows = Number(process.argv[2] ?? 100);
const tasks = Number(process.argv[3] ?? 3);
const url = process.env.SQLBLOCKS_TEST_PG_URL;
const dir = mkdtempSync(path.join(os.tmpdir(), "sqlblocks-count-"));
process.env.SQLBLOCKS_COUNT_DIR = dir;
process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ""} --require=${new URL("./count-pg-queries.cjs", import.meta.url).pathname}`;
const cluster = new BenchCluster(url);
await cluster.setUp(url);
await cluster.startWorkers(1);
const pid = Number(
  readdirSync("/proc").find((p) => {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, "utf8");
      return cmd.includes("\0worker\0") && cmd.includes("\0bench-w1");
    } catch {
      return false;
    }
  }),
);
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
// One warm-up run, then count from zero.
await cluster.drained(await cluster.enqueue(1, () => ({ block: "bench-pg", tasks })));
await pause(300);
process.kill(pid, "SIGUSR2");
await pause(200);
const { ms } = await cluster.drained(await cluster.enqueue(flows, (i) => ({ block: "bench-pg", base: i * tasks, tasks })));
process.kill(pid, "SIGUSR2");
await pause(300);
console.log(`${flows} flows of ${tasks} tasks drained in ${ms} ms by one worker; statements it sent:`);
console.log(readFileSync(path.join(dir, `count-${pid}.txt`), "utf8"));
await cluster.tearDown();
await closeDefaultStores();
process.exit(0);
