import { context, metrics, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { configureTelemetry, SqlConnector } from "@sqlblocks/core";
import { ensureRowsTable, rowsTable } from "./tables.js";
import type { Measurement, RunContext, Variant, Workload } from "./types.js";

/** Timed passes over the keys in each process; the fastest counts (the others absorb warm-up and noise). */
const PASSES = 5;

class CollectingReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/**
 * What an application does to see spans: an SDK with an exporter (in memory here), the
 * async-hooks context manager, and a meter provider. The simple processor exports every span
 * as it ends: a batching one drops spans when a tight loop outruns its queue, which would
 * understate the cost.
 */
function registerInMemorySdk(): { exported: () => Promise<number> } {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [new CollectingReader()] }));
  return {
    async exported() {
      await tracerProvider.forceFlush();
      const count = exporter.getFinishedSpans().length;
      exporter.reset();
      return count;
    },
  };
}

/**
 * W4 on SQLite (the cheapest statement there is, so the one where overhead shows most).
 * `ms` is the process's CPU time (user + system), not wall time: SQLite runs inside the
 * process, so CPU time is the work done, while wall time on a shared machine mostly measures
 * the other processes. `wallMs` is kept for reference.
 */
async function lookups({ url, sizes }: RunContext, between?: () => Promise<void>): Promise<Measurement & { wallMs: number }> {
  const ids = Array.from({ length: sizes.lookups }, (_, i) => ((i * 7919) % sizes.lookupTableRows) + 1);
  const sql = `SELECT id, name, score, created FROM ${rowsTable(sizes.lookupTableRows)} WHERE id = :id`;
  await using connector = new SqlConnector({ connectionInfo: url });
  await connector.execute("SELECT 1");
  let best = Number.POSITIVE_INFINITY;
  let bestWall = Number.POSITIVE_INFINITY;
  for (let pass = 0; pass < PASSES; pass++) {
    // A new cursor key per pass: fetchOne pages on an open cursor, and a read-out result stays read.
    await connector.resetConnections();
    const started = performance.now();
    const cpu = process.cpuUsage();
    for (const id of ids) {
      if (!(await connector.fetchOne(sql, { id }))) throw new Error("lookup found nothing");
    }
    const used = process.cpuUsage(cpu);
    best = Math.min(best, (used.user + used.system) / 1000);
    bestWall = Math.min(bestWall, performance.now() - started);
    await between?.();
  }
  return { count: ids.length, ms: best, wallMs: bestWall };
}

function telemetryWorkload(id: string, title: string, instrumented: (context: RunContext) => Promise<Measurement>, targetRatio: number): Workload {
  return {
    id,
    title,
    unit: "ops",
    databases: ["sqlite"],
    targetRatio,
    async prepare({ database, url, sizes }) {
      await ensureRowsTable(url, database, sizes.lookupTableRows);
    },
    async run(variant: Variant, runContext) {
      if (variant === "sqlblocks") return instrumented(runContext);
      // The baseline: the same build with the instrumentation switched off.
      configureTelemetry({ enabled: false });
      return lookups(runContext);
    },
  };
}

/**
 * O1: W4 on SQLite with the instrumentation on but no SDK registered (what every user who
 * does not use OpenTelemetry runs), against the instrumentation switched off: within 3%.
 */
export const telemetryNoSdkWorkload = telemetryWorkload(
  "O1",
  "W4 telemetry on, no SDK (vs off)",
  (runContext) => lookups(runContext),
  0.97,
);

/**
 * O2: the same with an SDK registered (in-memory span exporter, simple processor, a metric
 * reader): the cost of producing a span and a histogram point per statement. Measured, no target.
 */
export const telemetrySdkWorkload = telemetryWorkload(
  "O2",
  "W4 telemetry with SDK (vs off)",
  async (runContext) => {
    const sdk = registerInMemorySdk();
    // Between passes (untimed): the spans were all exported, one per lookup.
    return lookups(runContext, async () => {
      const spans = await sdk.exported();
      if (spans < runContext.sizes.lookups) throw new Error(`the SDK received ${spans} spans`);
    });
  },
  0,
);

/**
 * The same comparison inside ONE process, passes alternating on/off (ABAB…), so that load
 * from anything else on the machine hits both sides alike; prints the median of the paired
 * on/off time ratios. `node dist/workloads/telemetry-overhead.js <no-sdk|sdk> [lookups] [pairs]`
 * after `pnpm build`, with SQLBLOCKS_BENCH_SQLITE (default a temp file) for the table.
 */
export async function pairedOverhead(mode: "no-sdk" | "sdk", runContext: RunContext, pairs: number): Promise<string> {
  const sdk = mode === "sdk" ? registerInMemorySdk() : undefined;
  await ensureRowsTable(runContext.url, runContext.database, runContext.sizes.lookupTableRows);
  const one = { ...runContext, sizes: { ...runContext.sizes } };
  const ratios: number[] = [];
  const wallRatios: number[] = [];
  const on: number[] = [];
  const off: number[] = [];
  for (let pair = 0; pair < pairs; pair++) {
    const order = pair % 2 === 0 ? [true, false] : [false, true];
    const times = new Map<boolean, { ms: number; wallMs: number }>();
    for (const enabled of order) {
      configureTelemetry({ enabled });
      times.set(enabled, await lookups(one));
      if (sdk && enabled) await sdk.exported();
    }
    const [a, b] = [times.get(true)!, times.get(false)!];
    on.push(a.ms);
    off.push(b.ms);
    ratios.push(a.ms / b.ms);
    wallRatios.push(a.wallMs / b.wallMs);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const perOp = (ms: number) => ((ms / runContext.sizes.lookups) * 1000).toFixed(2);
  return (
    `${mode}: ${pairs} pairs × ${runContext.sizes.lookups} lookups (best of ${PASSES} passes each), CPU time: ` +
    `on ${perOp(median(on))} µs/op, off ${perOp(median(off))} µs/op; ` +
    `median on/off ${median(ratios).toFixed(4)} (throughput ${(1 / median(ratios)).toFixed(4)}×), ` +
    `range ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}; wall-time median on/off ${median(wallRatios).toFixed(4)}`
  );
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === (await import("node:url")).pathToFileURL(entry).href) {
  const { mkdtempSync } = await import("node:fs");
  const { default: os } = await import("node:os");
  const { default: path } = await import("node:path");
  const { FULL } = await import("../config.js");
  const mode = process.argv[2] === "sdk" ? "sdk" : "no-sdk";
  const lookupsPerPass = Number(process.argv[3] ?? 2000);
  const pairs = Number(process.argv[4] ?? 10);
  const file = process.env.SQLBLOCKS_BENCH_SQLITE ?? path.join(mkdtempSync(path.join(os.tmpdir(), "sqlblocks-otel-")), "bench.db");
  const url = `sqlite+better-sqlite3:///${file}`;
  console.log(await pairedOverhead(mode, { database: "sqlite", url, sizes: { ...FULL, lookups: lookupsPerPass } }, pairs));
}
