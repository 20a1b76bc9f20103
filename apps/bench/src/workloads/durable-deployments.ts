import { SqlConnector } from "@sqlblocks/core";
import { deployment } from "@sqlblocks/dbos";
import { flow, task } from "@sqlblocks/flow";

// The worker module of the durable benchmarks: flows of short tasks, one point query each.

/** The table the point queries read (made by the benchmark). */
export const POINTS_TABLE = "bench_durable_points";
export const POINT_ROWS = 1000;

const connectors = new Map<string, Promise<SqlConnector>>();

/** One connector per block and process: the flow's inputs carry only the block name. */
function connector(block: string): Promise<SqlConnector> {
  let pending = connectors.get(block);
  if (!pending) {
    pending = SqlConnector.load(block);
    connectors.set(block, pending);
  }
  return pending;
}

const point = task("point", async ({ block, id }: { block: string; id: number }) => {
  const db = await connector(block);
  const { rows } = await db.execute(`SELECT v FROM ${POINTS_TABLE} WHERE id = :id`, { id });
  return rows.length;
});

/** `tasks` point queries in a row. */
export const pointsFlow = flow("bench-points", async ({ block, base = 0, tasks = 3 }: { block: string; base?: number; tasks?: number }) => {
  let found = 0;
  for (let j = 0; j < tasks; j++) found += await point({ block, id: ((base + j) % POINT_ROWS) + 1 });
  return found;
});

export const benchPoints = deployment({
  name: "bench-points",
  flow: pointsFlow,
  parameters: { block: "bench-pg", tasks: 3 },
  // The poll interval can be changed for experiments (what one worker's drain rate owes to it).
  queue: { workerConcurrency: 4, pollingIntervalMs: Number(process.env.SQLBLOCKS_BENCH_POLL_MS) || 50 },
});
