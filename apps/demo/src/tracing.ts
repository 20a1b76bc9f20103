/**
 * Prints the quickstart's trace: `node --import ./dist/tracing.js dist/index.js`
 * (`npx pnpm@10 --filter @sqlblocks/demo trace`). Loaded before the demo, it registers the
 * OpenTelemetry SDK with a console exporter — the same few lines an application adds, with
 * its own exporter (OTLP, Jaeger…) instead. Without them sqlblocks' instrumentation is a no-op.
 */
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { ConsoleSpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";

// The context manager carries the active span across awaits: statements nest under their task.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() })] }));
