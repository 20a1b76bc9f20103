import { blockLoadWorkload } from "./block-load.js";
import { taskOverheadWorkload } from "./task-overhead.js";
import type { Workload } from "./types.js";
import { executeManyWorkload } from "./w1-execute-many.js";
import { fetchAllWorkload } from "./w2-fetch-all.js";
import { fetchManyWorkload } from "./w3-fetch-many.js";
import { fetchOneWorkload } from "./w4-fetch-one.js";
import { transferWorkload } from "./w5-transfer.js";

/** Every benchmark, in the order of SPEC §9. */
export const WORKLOADS: readonly Workload[] = [
  executeManyWorkload,
  fetchAllWorkload,
  fetchManyWorkload,
  fetchOneWorkload,
  transferWorkload,
  blockLoadWorkload,
  taskOverheadWorkload,
];

export type { Measurement, RunContext, Variant, Workload } from "./types.js";
