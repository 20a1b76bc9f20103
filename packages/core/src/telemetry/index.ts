/**
 * OpenTelemetry instrumentation: statement spans and the `db.client.operation.duration`
 * metric following the stable database semantic conventions, and W3C trace-context helpers.
 * Depends on `@opentelemetry/api` only: a no-op until the application registers an SDK.
 */
export { driverCodeOf, errorAttributes, errorTypeOf, recordFailure } from "./errors.js";
export * from "./names.js";
export { extractTraceContext, injectTraceContext, type TraceCarrier, withTraceContext } from "./propagation.js";
export { analyzeQuery, type QueryShape } from "./query.js";
export { StatementSpan, StatementTelemetry } from "./statement.js";
export { ActiveTracer } from "./tracer.js";
export { configureTelemetry, type TelemetryOptions, telemetryEnabled } from "./switch.js";
