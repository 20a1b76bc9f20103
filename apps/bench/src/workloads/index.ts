import { blockLoadWorkload } from "./block-load.js";
import { taskOverheadWorkload } from "./task-overhead.js";
import type { Workload } from "./types.js";
import { webRunPageWorkload, webRunsListWorkload } from "./u1-web-page.js";
import { webFirstPaintWorkload } from "./u3-first-paint.js";
import { executeManyWorkload } from "./w1-execute-many.js";
import { fetchAllWorkload } from "./w2-fetch-all.js";
import { fetchManyWorkload } from "./w3-fetch-many.js";
import { fetchOneWorkload } from "./w4-fetch-one.js";

/** Every benchmark, in the order of SPEC §9. */
export const WORKLOADS: readonly Workload[] = [
  executeManyWorkload,
  fetchAllWorkload,
  fetchManyWorkload,
  fetchOneWorkload,
  blockLoadWorkload,
  taskOverheadWorkload,
  webRunsListWorkload,
  webRunPageWorkload,
  webFirstPaintWorkload,
];

export type { Measurement, RunContext, Variant, Workload } from "./types.js";
