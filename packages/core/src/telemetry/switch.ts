/**
 * Whether sqlblocks creates spans and records metrics at all. On by default: without a
 * registered OpenTelemetry SDK the API is a no-op and costs next to nothing, so turning it
 * off is for measuring that cost, or for an application that registers an SDK but wants
 * no database spans from sqlblocks.
 */
let enabled = process.env.SQLBLOCKS_TELEMETRY !== "off";

/** Options of {@link configureTelemetry}. */
export interface TelemetryOptions {
  /** False: no spans, no metrics (also `SQLBLOCKS_TELEMETRY=off` in the environment). */
  enabled?: boolean;
}

/**
 * Turns sqlblocks' OpenTelemetry instrumentation on or off for the process.
 *
 * @example
 * configureTelemetry({ enabled: false });
 */
export function configureTelemetry(options: TelemetryOptions): void {
  if (options.enabled !== undefined) enabled = options.enabled;
}

/** True unless turned off by {@link configureTelemetry} or `SQLBLOCKS_TELEMETRY=off`. */
export function telemetryEnabled(): boolean {
  return enabled;
}
