import type { Workload } from "./types.js";

type Loader = () => Promise<Workload | readonly Workload[]>;

/**
 * Which module holds each workload, so the child process that runs one side of one
 * repetition imports that module alone: importing `./index.js` there would load every
 * workload's dependencies (the UI, DBOS, the OpenTelemetry SDK, playwright…) and every
 * peak-RSS figure would carry them. `test/workload-modules.test.ts` checks this table against
 * `WORKLOADS`.
 */
const LOADERS: Readonly<Record<string, Loader>> = {
  W1: async () => (await import("./w1-execute-many.js")).executeManyWorkload,
  "W1-row": async () => (await import("./w1-per-row.js")).executeManyPerRowWorkload,
  W2: async () => (await import("./w2-fetch-all.js")).fetchAllWorkload,
  W3: async () => (await import("./w3-fetch-many.js")).fetchManyWorkload,
  W4: async () => (await import("./w4-fetch-one.js")).fetchOneWorkload,
  W5: async () => (await import("./w5-transfer.js")).transferWorkload,
  B1: async () => (await import("./block-load.js")).blockLoadWorkload,
  T1: async () => (await import("./task-overhead.js")).taskOverheadWorkload,
  C1: async () => (await import("./c1-cold-start.js")).coldStartWorkload,
  O1: async () => (await import("./telemetry-overhead.js")).telemetryNoSdkWorkload,
  O2: async () => (await import("./telemetry-overhead.js")).telemetrySdkWorkload,
  U1: async () => (await import("./u1-web-page.js")).webRunsListWorkload,
  U2: async () => (await import("./u1-web-page.js")).webRunPageWorkload,
  U3: async () => (await import("./u3-first-paint.js")).webFirstPaintWorkload,
};

/** Workload families whose ids follow a pattern: B2–B4/T2–T4 (store engines), D0–D4 (durable). */
const FAMILIES: ReadonlyArray<[RegExp, Loader]> = [
  [/^[BT][2-9]$/, async () => (await import("./store-engines.js")).storeEngineWorkloads],
  [/^D\d+$/, async () => (await import("./durable.js")).durableWorkloads],
];

/** The workload `id`, importing only the module that defines it. */
export async function loadWorkload(id: string): Promise<Workload> {
  const load = LOADERS[id] ?? FAMILIES.find(([pattern]) => pattern.test(id))?.[1];
  const loaded = load ? await load() : [];
  const found = (Array.isArray(loaded) ? loaded : [loaded]).find((workload: Workload) => workload.id === id);
  if (!found) throw new Error(`unknown workload ${id}`);
  return found;
}
