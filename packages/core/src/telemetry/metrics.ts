import { type Attributes, type Histogram, type MeterProvider, metrics } from "@opentelemetry/api";
import { DB_OPERATION_DURATION_BUCKETS, INSTRUMENTATION_SCOPE, METRIC_DB_CLIENT_OPERATION_DURATION } from "./names.js";

let provider: MeterProvider | undefined;
let histogram: Histogram | undefined;

/**
 * The `db.client.operation.duration` histogram of the meter provider registered now.
 * The metrics API has no proxy (unlike tracing): an instrument made before the SDK was
 * registered stays a no-op, so it is made again when the global provider changes.
 */
function operationDuration(): Histogram {
  const current = metrics.getMeterProvider();
  if (current !== provider || histogram === undefined) {
    provider = current;
    histogram = current.getMeter(INSTRUMENTATION_SCOPE).createHistogram(METRIC_DB_CLIENT_OPERATION_DURATION, {
      description: "Duration of database client operations.",
      unit: "s",
      advice: { explicitBucketBoundaries: [...DB_OPERATION_DURATION_BUCKETS] },
    });
  }
  return histogram;
}

/** Records one operation's duration (seconds) with the span's attributes less the query text. */
export function recordOperationDuration(seconds: number, attributes: Attributes): void {
  operationDuration().record(seconds, attributes);
}
