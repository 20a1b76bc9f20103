// One worker inside this process runs one durable flow of T tasks (one point query each,
// default 200): milliseconds per task from dequeue to completion (DBOS's records). With
// HISTORY=off the run history is not recorded, to show what recording costs.
// Usage: SQLBLOCKS_TEST_PG_URL=postgresql://…/db [HISTORY=off] node scripts/durable-task-cost.mjs [T]
import { DBOSClient } from "@dbos-inc/dbos-sdk";
import { closeDefaultStores } from "@sqlblocks/core";
import { RUN_WORKFLOW, startWorker } from "@sqlblocks/dbos";
import { configureRunHistory } from "@sqlblocks/flow";
import { BenchCluster } from "../dist/workloads/durable-cluster.js";

const tasks = Number(process.argv[2] ?? 200);
const url = process.env.SQLBLOCKS_TEST_PG_URL;
const cluster = new BenchCluster(url);
await cluster.setUp(url);
Object.assign(process.env, cluster.env);
if (process.env.HISTORY === "off") configureRunHistory({ enabled: false });
const worker = await startWorker({ module: new URL("../dist/workloads/durable-deployments.js", import.meta.url).pathname, id: "task-cost", log: () => undefined });
const client = await DBOSClient.create({ systemDatabaseUrl: cluster.env.SQLBLOCKS_DBOS_DATABASE_URL, applicationName: cluster.env.SQLBLOCKS_DBOS_APP });
const run = async (count) => {
  const handle = await client.enqueue({ workflowName: RUN_WORKFLOW, queueName: "bench-points", appVersion: cluster.appVersion }, "bench-points", { block: "bench-pg", tasks: count });
  await handle.getResult();
  const status = await handle.getStatus();
  return status.completedAt - status.dequeuedAt;
};
try {
  await run(3);
  const ms = await run(tasks);
  console.log(`durable flow of ${tasks} tasks (history ${process.env.HISTORY ?? "on"}): ${ms} ms, ${(ms / tasks).toFixed(2)} ms per task`);
} finally {
  await client.destroy();
  await worker.stop();
  await cluster.tearDown();
  await closeDefaultStores();
}
process.exit(0);
