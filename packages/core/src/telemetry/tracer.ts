import type { Tracer, TracerProvider } from "@opentelemetry/api";
import { openTelemetry, registered } from "./api.js";

/**
 * The tracer of the SDK registered now, or `undefined` when none is. Asking first keeps a
 * statement or run without an SDK down to a property read: no no-op span, no context lookup.
 *
 * @example
 * const tracing = new ActiveTracer("@sqlblocks/flow");
 * const span = tracing.get()?.startSpan("work");
 */
export class ActiveTracer {
  #provider: TracerProvider | undefined;
  #tracer: Tracer | undefined;

  constructor(readonly scope: string) {}

  /**
   * The API's global provider is a proxy that gets its delegate when an SDK registers, so a
   * missing delegate is asked for again on every call until one appears.
   */
  get(): Tracer | undefined {
    // No tracer provider registered: no tracer, and no need to load the API to say so.
    if (!registered("trace")) return undefined;
    const current = openTelemetry().trace.getTracerProvider();
    if (current !== this.#provider) {
      this.#provider = current;
      this.#tracer = undefined;
    }
    if (this.#tracer === undefined) {
      const proxy = current as TracerProvider & { getDelegateTracer?: (name: string) => Tracer | undefined };
      this.#tracer = typeof proxy.getDelegateTracer === "function" ? proxy.getDelegateTracer(this.scope) : current.getTracer(this.scope);
    }
    return this.#tracer;
  }
}
