import { closeDefaultStores, SqlConnector } from "@sqlblocks/core";
import { flushRunHistory } from "@sqlblocks/flow";
import type { Sizes } from "../config.js";
import { BenchCluster } from "./durable-cluster.js";
import { pointsFlow } from "./durable-deployments.js";
import { timed, type Workload } from "./types.js";

/** Flows in the drain benchmark: 1,000 in the full run (half of `tasks`), a few in quick mode. */
const drainFlows = (sizes: Sizes) => Math.max(8, Math.floor(sizes.tasks / 2));
/** Flows per worker run before the measured drain (not counted). */
const WARM_UP_FLOWS = 50;
/** Tasks in the one long flow of the overhead benchmark. */
const overheadTasks = (sizes: Sizes) => Math.max(20, Math.floor(sizes.tasks / 10));

/**
 * Durable throughput: `drainFlows` queued flows of 3 tasks (one point query each) drained
 * by `workers` worker processes with queue concurrency 4 each. Flows/s over the drain
 * window (first dequeue to last completion, from DBOS's records), after every worker has
 * started and run its share of {@link WARM_UP_FLOWS}: the measured runs are held until then.
 */
function drainWorkload(workers: number): Workload {
  return {
    id: `D${workers}`,
    title: `durable drain, ${workers} worker${workers === 1 ? "" : "s"} × concurrency 4 (raw: in-process, concurrency ${4 * workers})`,
    unit: "flows",
    databases: ["postgres"],
    // No target of its own: the goal (4 workers ≥ 2× 1 worker) compares two rows, and
    // RESULTS.md prints that comparison as a line of its own (report.ts, durableScaling).
    // One repetition is a cluster draining 1,000 flows: three keep a full durable run short.
    repetitions: 3,
    rawMethod: `the same flows called in-process, ${4 * workers} at a time, in one process (no durability)`,
    async prepare() {},
    async run(variant, { url, sizes }) {
      const cluster = new BenchCluster(url);
      try {
        await cluster.setUp(url, { durable: variant === "sqlblocks" });
        if (variant === "raw") {
          const count = drainFlows(sizes);
          return await timed(async () => {
            let next = 0;
            const lane = async () => {
              while (next < count) {
                const index = next++;
                await pointsFlow({ block: "bench-pg", base: index * 3 });
              }
            };
            await Promise.all(Array.from({ length: 4 * workers }, lane));
            await flushRunHistory();
            return count;
          });
        }
        // Workers start (and load their modules) and warm up before the runs are released, so
        // that the drain measures running workers: one worker's start-up or JIT warm-up does
        // not eat the CPU of the others' drain window.
        const ids = await cluster.enqueue(drainFlows(sizes), (index) => ({ block: "bench-pg", base: index * 3 }), { held: true });
        await cluster.startWorkers(workers);
        await cluster.drained(await cluster.enqueue(WARM_UP_FLOWS * workers, (index) => ({ block: "bench-pg", base: index * 3 })));
        await cluster.release(ids);
        const { ms, workers: used } = await cluster.drained(ids);
        if (used !== workers) process.stderr.write(`D${workers}: only ${used} of ${workers} workers ran flows\n`);
        return { count: ids.length, ms };
      } finally {
        await cluster.tearDown();
        await closeDefaultStores();
      }
    },
  };
}

/**
 * Per-task overhead of a durable step over an in-process task: one flow of N tasks (one
 * point query each), in-process (raw side) against durable on one worker (from dequeue to
 * completion). Net milliseconds per task.
 */
export const durableOverheadWorkload: Workload = {
  id: "D0",
  title: "durable task overhead vs in-process",
  unit: "tasks",
  databases: ["postgres"],
  targetLatencyMs: 5,
  rawMethod: "the same flow called in-process (run history recorded too); the figure is net of it",
  async prepare() {},
  async run(variant, { url, sizes }) {
    const tasks = overheadTasks(sizes);
    const cluster = new BenchCluster(url);
    try {
      await cluster.setUp(url, { durable: variant === "sqlblocks" });
      if (variant === "raw") {
        const warm = await SqlConnector.load("bench-pg");
        await warm.close();
        await pointsFlow({ block: "bench-pg", tasks: 3 });
        const measured = await timed(async () => {
          await pointsFlow({ block: "bench-pg", tasks });
          return tasks;
        });
        await flushRunHistory();
        return measured;
      }
      await cluster.startWorkers(1);
      await cluster.drained(await cluster.enqueue(1, () => ({ block: "bench-pg", tasks: 3 })));
      const ids = await cluster.enqueue(1, () => ({ block: "bench-pg", tasks }));
      const { ms } = await cluster.drained(ids);
      return { count: tasks, ms };
    } finally {
      await cluster.tearDown();
      await closeDefaultStores();
    }
  },
};

/** The durable benchmarks, in order. */
export const durableWorkloads: readonly Workload[] = [durableOverheadWorkload, drainWorkload(1), drainWorkload(2), drainWorkload(4)];
