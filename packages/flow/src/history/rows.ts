/** Stored history rows turned into records: one mapping for the run history and the run query API. */
import type { RunState } from "../states.js";
import type { FlowRunRecord, LogLevel, RunLogRecord, TaskRunRecord } from "./records.js";

/** A row as the store returns it: column name to value. */
export type SqlRow = Record<string, unknown>;

/** A nullable text column. */
export const text = (value: unknown): string | undefined => (value === null || value === undefined ? undefined : String(value));

/** The tags column (JSON text); anything unreadable is no tags. */
export function parseTags(value: unknown): string[] {
  try {
    const parsed = JSON.parse(String(value ?? "[]")) as unknown;
    return Array.isArray(parsed) ? parsed.map(String) : [];
  } catch {
    return [];
  }
}

/** A nullable pid column. */
export const pidOf = (value: unknown): number | undefined => (value === null || value === undefined ? undefined : Number(value));

/** A flow_runs row as a record. */
export function toFlowRun(row: SqlRow): FlowRunRecord {
  return {
    id: String(row.id),
    name: String(row.name),
    state: String(row.state) as RunState,
    tags: parseTags(row.tags),
    attempts: Number(row.attempts),
    error: text(row.error),
    createdAt: String(row.created_at),
    startedAt: text(row.started_at),
    endedAt: text(row.ended_at),
    pid: pidOf(row.pid),
    hostname: text(row.hostname),
    // Present only where the query selected them (a single run, not a list).
    ...(row.parameters === undefined ? {} : { parameters: text(row.parameters) }),
    ...(row.result === undefined ? {} : { result: text(row.result) }),
  };
}

/**
 * The flow_runs columns a list selects: everything but the parameters and result, which can
 * be kilobytes each and are read only for one run.
 */
export const FLOW_RUN_LIST_COLUMNS = "id, name, state, tags, attempts, error, created_at, started_at, ended_at, pid, hostname";

/** A task_runs row as a record. */
export function toTaskRun(row: SqlRow): TaskRunRecord {
  return {
    id: String(row.id),
    flowRunId: text(row.flow_run_id),
    name: String(row.name),
    state: String(row.state) as RunState,
    tags: parseTags(row.tags),
    attempts: Number(row.attempts),
    error: text(row.error),
    createdAt: String(row.created_at),
    startedAt: text(row.started_at),
    endedAt: text(row.ended_at),
    pid: pidOf(row.pid),
    hostname: text(row.hostname),
  };
}

/** A run_logs row as a record. */
export function toLog(row: SqlRow): RunLogRecord {
  return {
    id: Number(row.id),
    flowRunId: text(row.flow_run_id),
    taskRunId: text(row.task_run_id),
    kind: String(row.kind) === "statement" ? "statement" : "log",
    level: String(row.level) as LogLevel,
    message: String(row.message),
    durationMs: row.duration_ms === null || row.duration_ms === undefined ? undefined : Number(row.duration_ms),
    rowCount: row.row_count === null || row.row_count === undefined ? undefined : Number(row.row_count),
    at: String(row.at),
  };
}
