import { context, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { ATTR_ERROR_TYPE } from "@opentelemetry/semantic-conventions";
import { ActiveTracer, errorTypeOf, recordFailure, telemetryEnabled } from "@sqlblocks/core";
import type { ActiveRun } from "./engine.js";
import { RunState } from "./states.js";

/** The instrumentation scope of flow and task spans. */
export const FLOW_INSTRUMENTATION_SCOPE = "@sqlblocks/flow";
/** Run span attributes (sqlblocks' own namespace: the conventions define none for workflow runs). */
export const ATTR_RUN_KIND = "sqlblocks.run.kind";
export const ATTR_RUN_ID = "sqlblocks.run.id";
export const ATTR_RUN_NAME = "sqlblocks.run.name";
/** The name in logs: the flow name, or the task name and its counter (`load-0`). */
export const ATTR_RUN_LABEL = "sqlblocks.run.label";
export const ATTR_RUN_STATE = "sqlblocks.run.state";
export const ATTR_RUN_ATTEMPT = "sqlblocks.run.attempt";
export const ATTR_RUN_TAGS = "sqlblocks.run.tags";
export const ATTR_FLOW_RUN_ID = "sqlblocks.flow_run.id";
/** The event a span gets each time its run is retried. */
export const RETRY_EVENT = "retry";

const tracing = new ActiveTracer(FLOW_INSTRUMENTATION_SCOPE);
const spans = new WeakMap<ActiveRun, Span>();

/**
 * Starts the INTERNAL span of a flow or task run, a child of the active span: the calling
 * flow's (for a task), or a remote parent restored with `withTraceContext` (a worker).
 */
export function startRunSpan(run: ActiveRun): void {
  const tracer = telemetryEnabled() ? tracing.get() : undefined;
  if (tracer === undefined) return;
  const span = tracer.startSpan(`${run.kind} ${run.options.name}`, {
    kind: SpanKind.INTERNAL,
    attributes: {
      [ATTR_RUN_KIND]: run.kind,
      [ATTR_RUN_ID]: run.record.id,
      [ATTR_RUN_NAME]: run.options.name,
      [ATTR_RUN_LABEL]: run.runName,
      [ATTR_RUN_STATE]: run.record.state,
      [ATTR_RUN_TAGS]: [...run.options.tags],
      ...(run.kind === "task" && run.flowRunId !== undefined ? { [ATTR_FLOW_RUN_ID]: run.flowRunId } : {}),
    },
  });
  spans.set(run, span);
}

/** Runs one attempt of `run` with its span active, so tasks and statements nest under it. */
export function inRunSpan<T>(run: ActiveRun, fn: () => T): T {
  const span = spans.get(run);
  if (span === undefined) return fn();
  return context.with(trace.setSpan(context.active(), span), fn);
}

/** Adds a `retry` event: which attempt failed, with what kind of error, and the delay. */
export function recordRetry(run: ActiveRun, error: unknown, attempt: number, delayMs: number): void {
  spans.get(run)?.addEvent(RETRY_EVENT, {
    [ATTR_RUN_ATTEMPT]: attempt,
    [ATTR_ERROR_TYPE]: errorTypeOf(error),
    "sqlblocks.retry.delay_ms": Math.round(delayMs),
  });
}

/** Records the error that ends a run (FAILED, CANCELLED, timed out). */
export function recordRunError(run: ActiveRun, error: unknown): void {
  const span = spans.get(run);
  if (span !== undefined) recordFailure(span, error);
}

/** Ends a run's span with its final state and attempt count; once, whatever the path. */
export function endRunSpan(run: ActiveRun): void {
  const span = spans.get(run);
  if (span === undefined) return;
  spans.delete(run);
  const state = run.record.state;
  span.setAttributes({ [ATTR_RUN_STATE]: state, [ATTR_RUN_ATTEMPT]: run.record.attempts });
  if (state === RunState.COMPLETED) span.setStatus({ code: SpanStatusCode.OK });
  else if (state === RunState.CRASHED) {
    // A crash has no error object to record: the reason is the run's own text.
    span.setAttribute(ATTR_ERROR_TYPE, "CRASHED");
    span.setStatus({ code: SpanStatusCode.ERROR, message: run.record.error ?? "crashed" });
  }
  span.end();
}
