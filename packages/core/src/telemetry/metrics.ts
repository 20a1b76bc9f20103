import type { Histogram, MeterProvider } from "@opentelemetry/api";
import { openTelemetry, registered } from "./api.js";
import { DB_OPERATION_DURATION_BUCKETS, INSTRUMENTATION_SCOPE, METRIC_DB_CLIENT_OPERATION_DURATION } from "./names.js";

let provider: MeterProvider | undefined;
let histogram: Histogram | undefined;

/**
 * The `db.client.operation.duration` histogram of the meter provider registered now, or
 * `undefined` when none is (then nothing is measured at all). The metrics API has no proxy,
 * unlike tracing: an instrument made before the SDK was registered stays a no-op, so the
 * histogram is made again whenever the global provider changes.
 */
export function operationDuration(): Histogram | undefined {
  // No meter provider registered: nothing to record, and no need to load the API to say so.
  if (!registered("metrics")) return undefined;
  const { createNoopMeter, metrics } = openTelemetry();
  const current = metrics.getMeterProvider();
  if (current !== provider) {
    provider = current;
    const meter = current.getMeter(INSTRUMENTATION_SCOPE);
    histogram =
      meter === createNoopMeter()
        ? undefined
        : meter.createHistogram(METRIC_DB_CLIENT_OPERATION_DURATION, {
            description: "Duration of database client operations.",
            unit: "s",
            advice: { explicitBucketBoundaries: [...DB_OPERATION_DURATION_BUCKETS] },
          });
  }
  return histogram;
}
