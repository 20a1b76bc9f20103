import type { Context, SpanContext } from "@opentelemetry/api";
import { openTelemetry } from "./api.js";

/**
 * A trace context in the W3C Trace Context format, small enough to travel with a queued
 * job: `traceparent` (`00-<trace id>-<span id>-<flags>`) and optional `tracestate`.
 */
export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/;

/**
 * The active span's context as a {@link TraceCarrier}, or `undefined` when there is no
 * active span (no SDK registered, or nothing traced). Written by hand so it works whatever
 * propagator the application registered, or none.
 *
 * @example
 * const carrier = injectTraceContext(); // store it with the job
 */
export function injectTraceContext(from?: Context): TraceCarrier | undefined {
  // `from` defaults to the active context (read here: the API is loaded on first use).
  const { context, isSpanContextValid, trace } = openTelemetry();
  const spanContext = trace.getSpanContext(from ?? context.active());
  if (!spanContext || !isSpanContextValid(spanContext)) return undefined;
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, "0");
  const carrier: TraceCarrier = { traceparent: `00-${spanContext.traceId}-${spanContext.spanId}-${flags}` };
  const state = spanContext.traceState?.serialize();
  if (state) carrier.tracestate = state;
  return carrier;
}

/**
 * The context to continue a trace from a {@link TraceCarrier} (a remote parent), on top of
 * `base` (default: the active context). An invalid or missing carrier gives `base`
 * unchanged: a bad header never fails work.
 */
export function extractTraceContext(carrier: Partial<TraceCarrier> | undefined | null, base?: Context): Context {
  const { context, createTraceState, isSpanContextValid, TraceFlags, trace } = openTelemetry();
  base ??= context.active();
  const header = typeof carrier?.traceparent === "string" ? carrier.traceparent.trim().toLowerCase() : "";
  const match = TRACEPARENT.exec(header);
  if (!match || match[1] === "ff") return base;
  const spanContext: SpanContext = {
    traceId: match[2]!,
    spanId: match[3]!,
    traceFlags: Number.parseInt(match[4]!, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  };
  if (!isSpanContextValid(spanContext)) return base;
  if (typeof carrier?.tracestate === "string" && carrier.tracestate !== "") {
    spanContext.traceState = createTraceState(carrier.tracestate);
  }
  return trace.setSpanContext(base, spanContext);
}

/**
 * Runs `fn` as a continuation of the trace in `carrier`: spans it starts (a flow or task
 * run, statements) become children of the remote span that injected it.
 *
 * @example
 * // in a durable worker
 * await withTraceContext(job.trace, () => runTask(job));
 */
export function withTraceContext<T>(carrier: Partial<TraceCarrier> | undefined | null, fn: () => T): T {
  return openTelemetry().context.with(extractTraceContext(carrier), fn);
}
