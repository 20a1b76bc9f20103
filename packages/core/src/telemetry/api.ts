import { createRequire } from "node:module";
import type * as OpenTelemetryApi from "@opentelemetry/api";

const nodeRequire = createRequire(import.meta.url);

/**
 * Where every copy of `@opentelemetry/api` 1.x keeps what the application registered (its
 * tracer and meter providers, context manager, propagator), shared by the CommonJS and ES
 * module builds and by separately installed copies alike.
 */
const GLOBAL = Symbol.for("opentelemetry.js.api.1");

let api: typeof OpenTelemetryApi | undefined;

/**
 * The OpenTelemetry API, loaded on first use. Its import is a fifth of a cold start's module
 * loading, and a process that registers no SDK never needs it on the statement path (see
 * {@link registered}). It is required synchronously (the CommonJS build): registrations made
 * through the application's own copy are seen through the global above.
 */
export function openTelemetry(): typeof OpenTelemetryApi {
  // A bundler sees the plain `require(…)` and bundles the API, evaluated only when reached
  // here; Node runs ES modules without a `require`, so it takes core's own.
  api ??= (typeof require === "function" ? require("@opentelemetry/api") : nodeRequire("@opentelemetry/api")) as typeof OpenTelemetryApi;
  return api;
}

/**
 * Whether a global of this kind is registered with the API (an SDK's tracer provider:
 * `"trace"`; meter provider: `"metrics"`). Until one is, a statement has no span to start and
 * no histogram to record: a property read answers it without loading the API.
 */
export function registered(kind: "trace" | "metrics"): boolean {
  const globals = (globalThis as { [GLOBAL]?: Partial<Record<string, unknown>> })[GLOBAL];
  return globals?.[kind] !== undefined;
}

/** Whether anything is registered that a statement reports to: a tracer or a meter provider (one property read each). */
export function registeredAny(): boolean {
  const globals = (globalThis as { [GLOBAL]?: Partial<Record<string, unknown>> })[GLOBAL];
  return globals !== undefined && (globals.trace !== undefined || globals.metrics !== undefined);
}
