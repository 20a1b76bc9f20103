import { InvalidRunOptionsError } from "./errors.js";

/** What a `retryCondition` learns about the failed attempt. */
export interface RetryInfo {
  /** The attempt that just failed (1 for the first). */
  attempt: number;
  /** The flow or task name. */
  runName: string;
}

/**
 * Options shared by `flow()` and `task()`, after Prefect's decorator arguments.
 *
 * @example
 * const load = task({ name: "load", retries: 3, retryDelayMs: [100, 1000, 5000], retryCondition: isTransientError }, fn);
 */
export interface RunOptions {
  /** The name runs are recorded and shown under. Defaults to the function's name. */
  name?: string;
  /** What the flow or task does, for people reading run history. */
  description?: string;
  /** How many times a failed attempt is retried (default 0). */
  retries?: number;
  /**
   * Pause before each retry, in milliseconds: one number for every retry, or a list whose
   * n-th entry is used before the n-th retry (the last entry repeats). Default 0.
   */
  retryDelayMs?: number | readonly number[];
  /**
   * Randomises each delay to spread out retries of many runs: the pause becomes
   * `delay * (1 + retryJitterFactor * random)` with `random` in [0, 1). Default 0.
   */
  retryJitterFactor?: number;
  /**
   * Decides whether an error is worth a retry; `false` ends the run FAILED at once.
   * Default: every error is retried. Pass {@link isTransientError} to retry only errors
   * sqlblocks marks `transient` (connection lost, deadlock, serialization failure, timeouts).
   */
  retryCondition?: (error: unknown, info: RetryInfo) => boolean | Promise<boolean>;
  /**
   * Limit per attempt, in milliseconds. An attempt that takes longer fails with a
   * `TaskTimeoutError` / `FlowTimeoutError` and its `AbortSignal` aborts.
   */
  timeoutMs?: number;
  /** Labels stored with every run, for filtering. */
  tags?: readonly string[];
}

/** Options of `flow()`. */
export type FlowOptions = RunOptions;

/** Options of `task()`. */
export type TaskOptions = RunOptions;

/** Options after validation, with defaults filled in. */
export interface ResolvedRunOptions {
  readonly name: string;
  readonly description: string | undefined;
  readonly retries: number;
  readonly retryDelayMs: number | readonly number[];
  readonly retryJitterFactor: number;
  readonly retryCondition: ((error: unknown, info: RetryInfo) => boolean | Promise<boolean>) | undefined;
  readonly timeoutMs: number | undefined;
  readonly tags: readonly string[];
}

function nonNegative(value: number | undefined, label: string, integer = false): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    throw new InvalidRunOptionsError(`${label} must be a ${integer ? "whole " : ""}number ≥ 0, got ${String(value)}`);
  }
  return value;
}

/** Validates options and fills in defaults; `fallbackName` is the wrapped function's name. */
export function resolveRunOptions(options: RunOptions, fallbackName: string, kind: "flow" | "task"): ResolvedRunOptions {
  const name = (options.name ?? fallbackName).trim();
  if (name === "") {
    throw new InvalidRunOptionsError(`a ${kind} needs a name: pass { name } or wrap a named function`);
  }
  const delays = options.retryDelayMs;
  if (Array.isArray(delays)) {
    for (const [index, delay] of delays.entries()) nonNegative(delay, `retryDelayMs[${index}]`);
  } else {
    nonNegative(delays as number | undefined, "retryDelayMs");
  }
  const timeoutMs = options.timeoutMs;
  if (timeoutMs !== undefined && !(typeof timeoutMs === "number" && timeoutMs > 0 && Number.isFinite(timeoutMs))) {
    throw new InvalidRunOptionsError(`timeoutMs must be a number > 0, got ${String(timeoutMs)}`);
  }
  if (options.retryCondition !== undefined && typeof options.retryCondition !== "function") {
    throw new InvalidRunOptionsError("retryCondition must be a function (error) => boolean");
  }
  const tags = options.tags ?? [];
  if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== "string")) {
    throw new InvalidRunOptionsError("tags must be a list of strings");
  }
  return Object.freeze({
    name,
    description: options.description,
    retries: nonNegative(options.retries, "retries", true) ?? 0,
    retryDelayMs: Array.isArray(delays) ? Object.freeze([...delays]) : ((delays as number | undefined) ?? 0),
    retryJitterFactor: nonNegative(options.retryJitterFactor, "retryJitterFactor") ?? 0,
    retryCondition: options.retryCondition,
    timeoutMs,
    tags: Object.freeze([...new Set(tags)]),
  });
}

/** The pause before retry number `retry` (1 for the first retry), jitter included. */
export function retryDelayFor(options: ResolvedRunOptions, retry: number, random: () => number = Math.random): number {
  const delays = options.retryDelayMs;
  const base = typeof delays === "number" ? delays : (delays[Math.min(retry, delays.length) - 1] ?? 0);
  if (base === 0 || options.retryJitterFactor === 0) return base;
  return base * (1 + options.retryJitterFactor * random());
}

/**
 * A `retryCondition` that retries only errors marked `transient` (sqlblocks' database
 * errors for lost connections, deadlocks and serialization failures, and timeouts).
 *
 * @example
 * const sync = task({ retries: 3, retryCondition: isTransientError }, syncOrders);
 */
export function isTransientError(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { transient?: unknown }).transient === true;
}
