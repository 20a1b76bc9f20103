import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { context, metrics, trace } from "@opentelemetry/api";
import { type HistogramMetricData, MeterProvider, MetricReader, type ResourceMetrics } from "@opentelemetry/sdk-metrics";
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";

/** A metric reader the test collects from on demand. */
class CollectingReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** The OpenTelemetry SDK as an application would register it, with in-memory sinks. */
export interface TestSdk {
  spans(): ReadableSpan[];
  reset(): void;
  collect(): Promise<ResourceMetrics>;
  durations(): Promise<HistogramMetricData | undefined>;
}

/** Registers a tracer provider (in-memory exporter), a meter provider (collecting reader) and the async-hooks context manager. */
export function registerTestSdk(): TestSdk {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const reader = new CollectingReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  const collect = async () => (await reader.collect()).resourceMetrics;
  return {
    spans: () => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
    collect,
    durations: async () => {
      const all = (await collect()).scopeMetrics.flatMap((scope) => scope.metrics);
      return all.find((metric) => metric.descriptor.name === "db.client.operation.duration") as HistogramMetricData | undefined;
    },
  };
}

/** The parent span id of a finished span (the SDK field moved between versions). */
export function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}
