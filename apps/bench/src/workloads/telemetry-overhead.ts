import { context, metrics, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { BatchSpanProcessor, InMemorySpanExporter, TracerProvider } from "@opentelemetry/sdk-trace";
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
 * What an application does to see spans: an SDK with the production span processor (batching)
 * and an exporter (in memory here), the async-hooks context manager, and a meter provider.
 */
function registerInMemorySdk(): { exported: () => Promise<number> } {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter })] });
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

/** W4 on SQLite (the cheapest statement there is, so the one where overhead shows most). */
async function lookups({ url, sizes }: RunContext, between?: () => Promise<void>): Promise<Measurement> {
  const ids = Array.from({ length: sizes.lookups }, (_, i) => ((i * 7919) % sizes.lookupTableRows) + 1);
  const sql = `SELECT id, name, score, created FROM ${rowsTable(sizes.lookupTableRows)} WHERE id = :id`;
  await using connector = new SqlConnector({ connectionInfo: url });
  await connector.execute("SELECT 1");
  let best = Number.POSITIVE_INFINITY;
  for (let pass = 0; pass < PASSES; pass++) {
    // A new cursor key per pass: fetchOne pages on an open cursor, and a read-out result stays read.
    await connector.resetConnections();
    const started = performance.now();
    for (const id of ids) {
      if (!(await connector.fetchOne(sql, { id }))) throw new Error("lookup found nothing");
    }
    best = Math.min(best, performance.now() - started);
    await between?.();
  }
  return { count: ids.length, ms: best };
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
