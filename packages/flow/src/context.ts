import { AsyncLocalStorage } from "node:async_hooks";
import type { RunKind } from "./errors.js";
import { MissingRunContextError } from "./errors.js";
import { createRunLogger, type RunLogger } from "./logger.js";

/**
 * What a running flow or task can learn about itself, through {@link getRunContext}.
 * A new context is made for every attempt, so `attempt` and `signal` are the current ones.
 */
export interface RunContext {
  readonly kind: RunKind;
  /** The run's id in the store (`sqlblocks runs show <flowRunId>`). */
  readonly runId: string;
  /** The flow or task name. */
  readonly name: string;
  /** The name shown in logs: the flow name, or the task name and a counter (`load-0`). */
  readonly runName: string;
  /** The flow run this run belongs to (its own id for a flow), if any. */
  readonly flowRunId: string | undefined;
  /** The current attempt, 1 for the first. */
  readonly attempt: number;
  /**
   * Aborts when this attempt times out or the parent run gives up on it. Pass it on to
   * anything that can stop early (`fetch`, `setTimeout` from `node:timers/promises`, …).
   */
  readonly signal: AbortSignal;
  readonly tags: readonly string[];
  /** The run that called this one. */
  readonly parent: RunContext | undefined;
  /** The logger attached to this run (same as {@link getRunLogger}). */
  readonly logger: RunLogger;
}

/** @internal The storage behind {@link getRunContext}. */
export const runStorage = new AsyncLocalStorage<RunContext>();

/**
 * The context of the flow or task run this code runs in.
 *
 * @throws {MissingRunContextError} outside a flow or task
 * @example
 * const fetchPage = task("fetchPage", async (url: string) => {
 *   const response = await fetch(url, { signal: getRunContext().signal });
 *   return response.json();
 * });
 */
export function getRunContext(): RunContext {
  const context = runStorage.getStore();
  if (!context) throw new MissingRunContextError();
  return context;
}

/** The context of the current run, or `undefined` outside a flow or task. */
export function currentRunContext(): RunContext | undefined {
  return runStorage.getStore();
}

const consoleLogger = createRunLogger(undefined);

/**
 * The logger of the current run: lines go to the console
 * (`12:34:56.789 | INFO    | Task run 'load-0' - message`) and into the run's log in the
 * store. Outside a run it still logs to the console, but nothing is stored.
 *
 * @example
 * const load = task("load", async () => {
 *   getRunLogger().info("loading %d rows", rows.length);
 * });
 */
export function getRunLogger(): RunLogger {
  return runStorage.getStore()?.logger ?? consoleLogger;
}
