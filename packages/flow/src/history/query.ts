import type { StoreDatabase } from "@sqlblocks/core";
import { RunState } from "../states.js";
import type { FlowRunRecord, LogLevel, RunLogRecord, TaskRunRecord } from "./records.js";
import { RunHistory } from "./repository.js";
import { FLOW_RUN_LIST_COLUMNS, type SqlRow, toFlowRun, toLog } from "./rows.js";
import { ensureFlowTables } from "./schema.js";

/** Log levels, lowest first (the order a "minimum level" filter uses). */
export const LOG_LEVELS: readonly LogLevel[] = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"];

/** Which flow runs a query selects. Every field narrows the selection. */
export interface RunFilter {
  /** Runs in any of these states. */
  states?: readonly RunState[] | undefined;
  /** Runs of this flow (exact name). */
  flow?: string | undefined;
  /** Runs carrying this tag. */
  tag?: string | undefined;
  /** Runs created at or after this ISO time. */
  from?: string | undefined;
  /** Runs created before this ISO time. */
  to?: string | undefined;
}

/** Options of {@link RunQuery.listRuns}: a filter and a page. */
export interface RunPageOptions extends RunFilter {
  /** Page size, 1–500 (default 50). */
  limit?: number | undefined;
  /** Rows to skip (default 0). */
  offset?: number | undefined;
}

/** A flow run as a list shows it: the record, its duration and how many task runs it has. */
export interface RunSummary extends FlowRunRecord {
  /** Milliseconds from start to end (to now for an active run), or `undefined` before it starts. */
  durationMs: number | undefined;
  /** How many task runs it created. */
  taskCount: number;
}

/** One page of {@link RunQuery.listRuns}. */
export interface RunPage {
  runs: RunSummary[];
  /** How many runs match the filter in all. */
  total: number;
  limit: number;
  offset: number;
}

/** Run counts by state in one time bucket of {@link RunQuery.history}. */
export interface RunHistoryBucket {
  /** The bucket's start, an ISO time truncated to the bucket size. */
  start: string;
  counts: Partial<Record<RunState, number>>;
}

/** Run counts by state over time. */
export interface RunHistorySeries {
  /** The bucket size. */
  unit: "minute" | "hour" | "day";
  buckets: RunHistoryBucket[];
}

/** A flow run with its task runs, for a run page. */
export interface RunDetail {
  run: RunSummary;
  taskRuns: TaskRunRecord[];
  /**
   * The run's parameters as recorded (parsed JSON; see `recordValue` for the redaction and the
   * `$`-keyed markers such as `{"$truncated":true,…}`), or `undefined` when none were recorded.
   */
  parameters: unknown;
  /** The value the run returned, as recorded, or `undefined` (not COMPLETED, returned nothing, or older run). */
  result: unknown;
}

/** Recorded JSON text as a value; unreadable text is shown as the text itself. */
function parseRecorded(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  try {
    return JSON.parse(String(value)) as unknown;
  } catch {
    return String(value);
  }
}

/** Options of {@link RunQuery.logs}. */
export interface RunLogPageOptions {
  /** Only records with an id greater than this (for polling: the last id seen). */
  afterId?: number | undefined;
  /** Only records at this level or above. */
  minLevel?: LogLevel | undefined;
  /** Only log messages, or only statements. */
  kind?: "log" | "statement" | undefined;
  /** At most this many records, oldest first (default 1000, at most 5000). */
  limit?: number | undefined;
}

const UNIT_PREFIX = { minute: 16, hour: 13, day: 10 } as const;
const UNIT_SUFFIX = { minute: ":00.000Z", hour: ":00:00.000Z", day: "T00:00:00.000Z" } as const;
const ALL_STATES = new Set<string>(Object.values(RunState));
/** A list never reads the parameters and result (kilobytes each): only {@link RunQuery.getRun} does. */
const LIST_COLUMNS = FLOW_RUN_LIST_COLUMNS.split(", ")
  .map((column) => `f.${column}`)
  .join(", ");

function toSummary(row: SqlRow, now: number): RunSummary {
  const { parameters: _parameters, result: _result, ...run } = toFlowRun(row);
  const { startedAt, endedAt } = run;
  return {
    ...run,
    durationMs: startedAt ? (endedAt ? Date.parse(endedAt) : now) - Date.parse(startedAt) : undefined,
    taskCount: Number(row.task_count ?? 0),
  };
}

const escapeLike = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

function whereClause(filter: RunFilter): { sql: string; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  const states = (filter.states ?? []).filter((state) => ALL_STATES.has(state));
  if (states.length > 0) {
    where.push(`f.state IN (${states.map(() => "?").join(", ")})`);
    values.push(...states);
  }
  if (filter.flow) {
    where.push("f.name = ?");
    values.push(filter.flow);
  }
  if (filter.tag) {
    // Tags are stored as a JSON array of strings: match the quoted, JSON-encoded tag.
    where.push("f.tags LIKE ? ESCAPE '\\'");
    values.push(`%${escapeLike(JSON.stringify(filter.tag))}%`);
  }
  if (filter.from) {
    where.push("f.created_at >= ?");
    values.push(new Date(filter.from).toISOString());
  }
  if (filter.to) {
    where.push("f.created_at < ?");
    values.push(new Date(filter.to).toISOString());
  }
  return { sql: where.length ? `WHERE ${where.join(" AND ")}` : "", values };
}

function checkTimes(filter: RunFilter): void {
  for (const key of ["from", "to"] as const) {
    const value = filter[key];
    if (value !== undefined && value !== "" && Number.isNaN(Date.parse(value))) {
      throw new RangeError(`${key} must be an ISO 8601 time such as 2026-01-31T12:00:00Z, got "${value}"`);
    }
  }
}

const clamp = (value: number | undefined, fallback: number, min: number, max: number) =>
  Math.min(max, Math.max(min, Math.floor(Number.isFinite(value) ? (value as number) : fallback)));

/**
 * Read-only queries over run history for pages and tools: a filtered, paginated run list,
 * run counts by state over time, a run with its task runs, and log records after a given id
 * (for live tails). Written against {@link StoreDatabase}, so it works on any store (embedded
 * SQLite or PostgreSQL).
 *
 * @example
 * const runs = await RunQuery.open((await getDefaultStore()).db);
 * const page = await runs.listRuns({ states: ["FAILED"], tag: "nightly", limit: 20 });
 */
export class RunQuery {
  readonly db: StoreDatabase;
  readonly #history: RunHistory;
  #settledAt = 0;

  constructor(db: StoreDatabase) {
    this.db = db;
    this.#history = new RunHistory(db);
  }

  /**
   * A query object over `db`, with flow's tables brought up to date first (their migrations
   * include the indexes these queries rely on).
   */
  static async open(db: StoreDatabase): Promise<RunQuery> {
    await ensureFlowTables(db);
    return new RunQuery(db);
  }

  /** Settles runs of dead processes at most once a second, so reads show CRASHED runs. */
  async #settle(): Promise<void> {
    const now = Date.now();
    if (now - this.#settledAt < 1000) return;
    this.#settledAt = now;
    await this.#history.settleCrashedRuns();
  }

  /**
   * One page of flow runs, most recent first (ties by id), with the total that match.
   *
   * @throws {RangeError} when `from` or `to` is not a time
   */
  async listRuns(options: RunPageOptions = {}): Promise<RunPage> {
    checkTimes(options);
    await this.#settle();
    const limit = clamp(options.limit, 50, 1, 500);
    const offset = clamp(options.offset, 0, 0, Number.MAX_SAFE_INTEGER);
    const where = whereClause(options);
    const rows = await this.db.all<SqlRow>(
      `SELECT ${LIST_COLUMNS}, (SELECT COUNT(*) FROM task_runs t WHERE t.flow_run_id = f.id) AS task_count
       FROM flow_runs f ${where.sql} ORDER BY f.created_at DESC, f.id DESC LIMIT ${limit} OFFSET ${offset}`,
      where.values,
    );
    const counted = await this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM flow_runs f ${where.sql}`, where.values);
    const now = Date.now();
    return { runs: rows.map((row) => toSummary(row, now)), total: Number(counted?.n ?? 0), limit, offset };
  }

  /**
   * Run counts by state per minute, hour or day (chosen from the time range: at most a few
   * hundred buckets), oldest first.
   */
  async history(filter: RunFilter = {}): Promise<RunHistorySeries> {
    checkTimes(filter);
    await this.#settle();
    const where = whereClause(filter);
    const span = await this.db.get<{ first: string | null; last: string | null }>(
      `SELECT MIN(f.created_at) AS first, MAX(f.created_at) AS last FROM flow_runs f ${where.sql}`,
      where.values,
    );
    const first = Date.parse(filter.from || span?.first || "");
    const last = Date.parse(filter.to || span?.last || "");
    const rangeMs = Number.isNaN(first) || Number.isNaN(last) ? 0 : last - first;
    const unit = rangeMs <= 6 * 3600_000 ? "minute" : rangeMs <= 14 * 86400_000 ? "hour" : "day";
    const rows = await this.db.all<{ bucket: string; state: string; n: number }>(
      `SELECT substr(f.created_at, 1, ${UNIT_PREFIX[unit]}) AS bucket, f.state AS state, COUNT(*) AS n
       FROM flow_runs f ${where.sql} GROUP BY substr(f.created_at, 1, ${UNIT_PREFIX[unit]}), f.state ORDER BY 1`,
      where.values,
    );
    const buckets = new Map<string, RunHistoryBucket>();
    for (const row of rows) {
      const start = `${row.bucket}${UNIT_SUFFIX[unit]}`;
      let bucket = buckets.get(start);
      if (!bucket) {
        bucket = { start, counts: {} };
        buckets.set(start, bucket);
      }
      bucket.counts[row.state as RunState] = Number(row.n);
    }
    return { unit, buckets: [...buckets.values()] };
  }

  /** The names of the flows that have runs, sorted. */
  async flowNames(): Promise<string[]> {
    const rows = await this.db.all<{ name: string }>("SELECT DISTINCT name FROM flow_runs ORDER BY name");
    return rows.map((row) => String(row.name));
  }

  /** A flow run with its task runs (in creation order), or `undefined`. */
  async getRun(id: string): Promise<RunDetail | undefined> {
    await this.#settle();
    const row = await this.db.get<SqlRow>(
      `SELECT f.*, (SELECT COUNT(*) FROM task_runs t WHERE t.flow_run_id = f.id) AS task_count FROM flow_runs f WHERE f.id = ?`,
      [id],
    );
    if (!row) return undefined;
    return {
      run: toSummary(row, Date.now()),
      taskRuns: await this.#history.listTaskRuns(id),
      parameters: parseRecorded(row.parameters),
      result: parseRecorded(row.result),
    };
  }

  /** The log records of a flow run, oldest first, optionally only those after `afterId`. */
  async logs(runId: string, options: RunLogPageOptions = {}): Promise<RunLogRecord[]> {
    const where = ["flow_run_id = ?"];
    const values: unknown[] = [runId];
    if (options.afterId !== undefined && Number.isFinite(options.afterId)) {
      where.push("id > ?");
      values.push(Math.floor(options.afterId));
    }
    if (options.kind) {
      where.push("kind = ?");
      values.push(options.kind);
    }
    const minLevel = options.minLevel ? LOG_LEVELS.indexOf(options.minLevel) : -1;
    if (minLevel > 0) {
      const levels = LOG_LEVELS.slice(minLevel);
      where.push(`level IN (${levels.map(() => "?").join(", ")})`);
      values.push(...levels);
    }
    const limit = clamp(options.limit, 1000, 1, 5000);
    const rows = await this.db.all<SqlRow>(
      `SELECT * FROM run_logs WHERE ${where.join(" AND ")} ORDER BY id LIMIT ${limit}`,
      values,
    );
    return rows.map(toLog);
  }
}
