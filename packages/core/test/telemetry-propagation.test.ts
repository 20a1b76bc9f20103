import { ROOT_CONTEXT, TraceFlags, trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { extractTraceContext, injectTraceContext } from "../src/telemetry/propagation.js";

const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
const spanId = "00f067aa0ba902b7";

describe("W3C trace-context helpers", () => {
  it("inject writes traceparent (and tracestate) for the active span context", () => {
    const from = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED });
    expect(injectTraceContext(from)).toEqual({ traceparent: `00-${traceId}-${spanId}-01` });
  });

  it("inject gives undefined without a valid span context", () => {
    expect(injectTraceContext(ROOT_CONTEXT)).toBeUndefined();
    const invalid = trace.setSpanContext(ROOT_CONTEXT, { traceId: "0".repeat(32), spanId, traceFlags: 1 });
    expect(injectTraceContext(invalid)).toBeUndefined();
  });

  it("extract restores a remote parent, tracestate included, and round-trips", () => {
    const extracted = extractTraceContext({ traceparent: `00-${traceId}-${spanId}-01`, tracestate: "vendor=abc,other=1" }, ROOT_CONTEXT);
    const spanContext = trace.getSpanContext(extracted)!;
    expect(spanContext).toMatchObject({ traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    expect(spanContext.traceState?.get("vendor")).toBe("abc");
    expect(injectTraceContext(extracted)).toEqual({ traceparent: `00-${traceId}-${spanId}-01`, tracestate: "vendor=abc,other=1" });
  });

  it("keeps an unsampled flag unsampled", () => {
    const extracted = extractTraceContext({ traceparent: `00-${traceId}-${spanId}-00` }, ROOT_CONTEXT);
    expect(trace.getSpanContext(extracted)?.traceFlags).toBe(TraceFlags.NONE);
  });

  it.each([
    undefined,
    null,
    {},
    { traceparent: "" },
    { traceparent: "garbage" },
    { traceparent: `ff-${traceId}-${spanId}-01` },
    { traceparent: `00-${"0".repeat(32)}-${spanId}-01` },
    { traceparent: `00-${traceId}-${"0".repeat(16)}-01` },
    { traceparent: `00-${traceId.slice(1)}-${spanId}-01` },
  ])("a bad carrier (%j) leaves the context as it was", (carrier) => {
    expect(extractTraceContext(carrier as never, ROOT_CONTEXT)).toBe(ROOT_CONTEXT);
  });
});
