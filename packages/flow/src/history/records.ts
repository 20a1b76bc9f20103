import type { RunState } from "../states.js";

/** Log levels, lowest first. */
export type LogLevel = "DEBUG" | "INFO" | "WARNING" | "ERROR" | "CRITICAL";

/** A flow run as the store records it. Times are ISO 8601 strings (UTC). */
export interface FlowRunRecord {
  id: string;
  /** The flow's name. */
  name: string;
  state: RunState;
  tags: readonly string[];
  /** Attempts started so far (1 + retries used). */
  attempts: number;
  /** The final error, redacted: never a secret. */
  error: string | undefined;
  createdAt: string;
  startedAt: string | undefined;
  endedAt: string | undefined;
  /** The process that ran it, for crash detection. */
  pid: number | undefined;
  hostname: string | undefined;
  /**
   * The run's parameters as recorded JSON text (see `recordValue`: redacted, capped), or
   * `undefined` when it had none or was recorded before flow recorded parameters. Only read
   * where one run is shown: run lists leave it out.
   */
  parameters?: string | undefined;
  /** The value a COMPLETED run returned, as recorded JSON text (like {@link parameters}). */
  result?: string | undefined;
}

/** A task run as the store records it. `flowRunId` is unset for a task called outside a flow. */
export interface TaskRunRecord {
  id: string;
  flowRunId: string | undefined;
  /** The task's name. */
  name: string;
  state: RunState;
  tags: readonly string[];
  attempts: number;
  error: string | undefined;
  createdAt: string;
  startedAt: string | undefined;
  endedAt: string | undefined;
  /** The process that ran it, for crash detection of tasks called outside a flow. */
  pid: number | undefined;
  hostname: string | undefined;
}

/**
 * One line of a run's log: a message from `getRunLogger()` or the engine (`kind: "log"`),
 * or a statement a connector ran (`kind: "statement"`: the message is `operation: SQL`,
 * with duration and row count; never parameter values).
 */
export interface RunLogRecord {
  /** Assigned by the store; increases with time within a store. */
  id?: number | undefined;
  flowRunId: string | undefined;
  taskRunId: string | undefined;
  kind: "log" | "statement";
  level: LogLevel;
  message: string;
  durationMs?: number | undefined;
  rowCount?: number | undefined;
  at: string;
}

/** Milliseconds between two ISO times, or `undefined` when either is missing. */
export function durationBetween(startedAt: string | undefined, endedAt: string | undefined): number | undefined {
  if (!startedAt || !endedAt) return undefined;
  return Date.parse(endedAt) - Date.parse(startedAt);
}
