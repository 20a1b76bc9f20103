import { blockLoadWorkload } from "./block-load.js";
import { storeEngineWorkloads } from "./store-engines.js";
import { coldStartWorkload } from "./c1-cold-start.js";
import { durableWorkloads } from "./durable.js";
import { taskOverheadWorkload } from "./task-overhead.js";
import { telemetryNoSdkWorkload, telemetrySdkWorkload } from "./telemetry-overhead.js";
import type { Workload } from "./types.js";
import { webRunPageWorkload, webRunsListWorkload } from "./u1-web-page.js";
import { webFirstPaintWorkload } from "./u3-first-paint.js";
import { executeManyWorkload } from "./w1-execute-many.js";
import { executeManyPerRowWorkload } from "./w1-per-row.js";
import { fetchAllWorkload } from "./w2-fetch-all.js";
import { fetchManyWorkload } from "./w3-fetch-many.js";
import { fetchOneWorkload } from "./w4-fetch-one.js";
import { transferWorkload } from "./w5-transfer.js";

/** Every benchmark, in the order of SPEC §9. */
export const WORKLOADS: readonly Workload[] = [
  executeManyWorkload,
  executeManyPerRowWorkload,
  fetchAllWorkload,
  fetchManyWorkload,
  fetchOneWorkload,
  transferWorkload,
  blockLoadWorkload,
  taskOverheadWorkload,
  ...storeEngineWorkloads,
  coldStartWorkload,
  telemetryNoSdkWorkload,
  telemetrySdkWorkload,
  ...durableWorkloads,
  webRunsListWorkload,
  webRunPageWorkload,
  webFirstPaintWorkload,
];

export type { Measurement, RunContext, Variant, Workload } from "./types.js";
