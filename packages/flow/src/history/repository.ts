import os from "node:os";
import type { StoreDatabase } from "@sqlblocks/core";
import { RunState } from "../states.js";
import type { FlowRunRecord, RunLogRecord, TaskRunRecord } from "./records.js";
import { FLOW_RUN_LIST_COLUMNS, type SqlRow, toFlowRun, toLog, toTaskRun } from "./rows.js";
import { ensureFlowTables } from "./schema.js";

const ACTIVE_STATES = [RunState.PENDING, RunState.RUNNING] as const;

// A record without parameters or result (a cancel, a settle) keeps the ones stored.
const UPSERT_FLOW_RUN = `INSERT INTO flow_runs (id, name, state, tags, attempts, error, created_at, started_at, ended_at, pid, hostname, parameters, result)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (id) DO UPDATE SET state = excluded.state, attempts = excluded.attempts, error = excluded.error,
    started_at = excluded.started_at, ended_at = excluded.ended_at,
    parameters = COALESCE(excluded.parameters, flow_runs.parameters), result = COALESCE(excluded.result, flow_runs.result)`;

const UPSERT_TASK_RUN = `INSERT INTO task_runs (id, flow_run_id, name, state, tags, attempts, error, created_at, started_at, ended_at, pid, hostname)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (id) DO UPDATE SET state = excluded.state, attempts = excluded.attempts, error = excluded.error,
    started_at = excluded.started_at, ended_at = excluded.ended_at`;

const INSERT_LOG = `INSERT INTO run_logs (flow_run_id, task_run_id, kind, level, message, duration_ms, row_count, at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;

/** Options of {@link RunHistory.listFlowRuns}. */
export interface ListFlowRunsOptions {
  /** Most recent first; default 50. */
  limit?: number;
  /** Only runs of this flow. */
  name?: string;
  /** Only runs in this state. */
  state?: RunState;
}

/** Options of {@link RunHistory.logs}. */
export interface LogQueryOptions {
  /** Only statements, or only log messages. */
  kind?: "log" | "statement";
  /** Only the records of one task run. */
  taskRunId?: string;
}

/** Tells whether a process id is alive on this host. */
export type ProcessProbe = (pid: number) => boolean;

/** `kill(pid, 0)`: ESRCH means the process is gone; EPERM means it exists but is not ours. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The SQL statement and values that write one flow run (insert or update). */
export function flowRunUpsert(run: FlowRunRecord): [string, unknown[]] {
  return [
    UPSERT_FLOW_RUN,
    [
      run.id,
      run.name,
      run.state,
      JSON.stringify(run.tags),
      run.attempts,
      run.error ?? null,
      run.createdAt,
      run.startedAt ?? null,
      run.endedAt ?? null,
      run.pid ?? null,
      run.hostname ?? null,
      run.parameters ?? null,
      run.result ?? null,
    ],
  ];
}

/** The SQL statement and values that write one task run (insert or update). */
export function taskRunUpsert(run: TaskRunRecord): [string, unknown[]] {
  return [
    UPSERT_TASK_RUN,
    [
      run.id,
      run.flowRunId ?? null,
      run.name,
      run.state,
      JSON.stringify(run.tags),
      run.attempts,
      run.error ?? null,
      run.createdAt,
      run.startedAt ?? null,
      run.endedAt ?? null,
      run.pid ?? null,
      run.hostname ?? null,
    ],
  ];
}

/** The SQL statement and values that append one log record. */
export function logInsert(record: RunLogRecord): [string, unknown[]] {
  return [
    INSERT_LOG,
    [
      record.flowRunId ?? null,
      record.taskRunId ?? null,
      record.kind,
      record.level,
      record.message,
      record.durationMs ?? null,
      record.rowCount ?? null,
      record.at,
    ],
  ];
}

/** Rows per multi-row statement: far below SQLite's and PostgreSQL's parameter limits. */
const ROWS_PER_STATEMENT = 100;
const VALUES_GROUP = /VALUES \((\?(?:, \?)*)\)/;

/**
 * Merges single-row statements of the same SQL into multi-row ones (`VALUES (…), (…)`), in
 * order: one round trip per hundred records instead of one per record, which is what keeps
 * run history cheap on a server store.
 */
export function multiRowStatements(statements: readonly [string, unknown[]][]): [string, unknown[]][] {
  const merged: [string, unknown[]][] = [];
  let i = 0;
  while (i < statements.length) {
    const [sql] = statements[i]!;
    const group = VALUES_GROUP.exec(sql);
    let end = i + 1;
    while (group && end < statements.length && end - i < ROWS_PER_STATEMENT && statements[end]![0] === sql) end++;
    if (!group || end - i === 1) {
      merged.push(statements[i]!);
      i++;
      continue;
    }
    const rows = statements.slice(i, end);
    const values = Array.from({ length: rows.length }, () => `(${group[1]})`).join(", ");
    merged.push([sql.replace(VALUES_GROUP, `VALUES ${values}`), rows.flatMap(([, params]) => params)]);
    i = end;
  }
  return merged;
}

/**
 * Flow runs, task runs and run logs in the store, written against the small
 * {@link StoreDatabase} interface so any store (embedded SQLite, a shared PostgreSQL) works.
 *
 * Reading runs first settles runs left behind by dead processes: a run still PENDING or
 * RUNNING whose process no longer exists on this host is shown (and stored) as CRASHED.
 *
 * @example
 * const history = new RunHistory((await getDefaultStore()).db);
 * for (const run of await history.listFlowRuns({ limit: 10 })) console.log(run.name, run.state);
 */
export class RunHistory {
  readonly db: StoreDatabase;
  readonly #hostname: string;
  readonly #isAlive: ProcessProbe;

  constructor(db: StoreDatabase, options: { hostname?: string; isAlive?: ProcessProbe } = {}) {
    this.db = db;
    this.#hostname = options.hostname ?? os.hostname();
    this.#isAlive = options.isAlive ?? isProcessAlive;
  }

  /** Creates or upgrades flow's tables in the store (once per database; later calls are free). */
  ready(): Promise<number> {
    return ensureFlowTables(this.db);
  }

  /** Writes flow runs, task runs and logs in one transaction. */
  async write(batch: {
    flowRuns?: Iterable<FlowRunRecord>;
    taskRuns?: Iterable<TaskRunRecord>;
    logs?: Iterable<RunLogRecord>;
  }): Promise<void> {
    const statements: [string, unknown[]][] = [];
    for (const run of batch.flowRuns ?? []) statements.push(flowRunUpsert(run));
    for (const run of batch.taskRuns ?? []) statements.push(taskRunUpsert(run));
    for (const record of batch.logs ?? []) statements.push(logInsert(record));
    if (statements.length === 0) return;
    await this.ready();
    const merged = multiRowStatements(statements);
    if (merged.length === 1) {
      await this.db.run(merged[0]![0], merged[0]![1]);
      return;
    }
    await this.db.transaction(async (tx) => {
      for (const [sql, values] of merged) await tx.run(sql, values);
    });
  }

  /**
   * Marks runs CRASHED whose process died on this host while they were PENDING or RUNNING:
   * flow runs with their unfinished task runs, and task runs called outside a flow. Returns
   * how many runs (flow runs and such task runs) it settled.
   */
  async settleCrashedRuns(now: Date = new Date()): Promise<number> {
    await this.ready();
    const isDead = (row: { pid: number | null }) =>
      row.pid !== null && Number(row.pid) !== process.pid && !this.#isAlive(Number(row.pid));
    const deadFlows = (
      await this.db.all<{ id: string; pid: number | null }>(
        "SELECT id, pid FROM flow_runs WHERE state IN (?, ?) AND hostname = ?",
        [...ACTIVE_STATES, this.#hostname],
      )
    ).filter(isDead);
    const deadTasks = (
      await this.db.all<{ id: string; pid: number | null }>(
        "SELECT id, pid FROM task_runs WHERE flow_run_id IS NULL AND state IN (?, ?) AND hostname = ?",
        [...ACTIVE_STATES, this.#hostname],
      )
    ).filter(isDead);
    if (deadFlows.length === 0 && deadTasks.length === 0) return 0;
    const at = now.toISOString();
    const reason = (pid: number | null) => `the process running it (pid ${pid} on ${this.#hostname}) ended before the run finished`;
    const crash = "SET state = ?, ended_at = COALESCE(ended_at, ?), error = COALESCE(error, ?)";
    await this.db.transaction(async (tx) => {
      for (const row of deadFlows) {
        const values = [RunState.CRASHED, at, reason(row.pid), row.id, ...ACTIVE_STATES];
        await tx.run(`UPDATE flow_runs ${crash} WHERE id = ? AND state IN (?, ?)`, values);
        await tx.run(`UPDATE task_runs ${crash} WHERE flow_run_id = ? AND state IN (?, ?)`, values);
      }
      for (const row of deadTasks) {
        await tx.run(`UPDATE task_runs ${crash} WHERE id = ? AND state IN (?, ?)`, [
          RunState.CRASHED,
          at,
          reason(row.pid),
          row.id,
          ...ACTIVE_STATES,
        ]);
      }
    });
    return deadFlows.length + deadTasks.length;
  }

  /** Flow runs, most recent first. */
  async listFlowRuns(options: ListFlowRunsOptions = {}): Promise<FlowRunRecord[]> {
    await this.settleCrashedRuns();
    const where: string[] = [];
    const values: unknown[] = [];
    if (options.name !== undefined) {
      where.push("name = ?");
      values.push(options.name);
    }
    if (options.state !== undefined) {
      where.push("state = ?");
      values.push(options.state);
    }
    const limit = Math.max(1, Math.floor(options.limit ?? 50));
    const rows = await this.db.all<SqlRow>(
      `SELECT ${FLOW_RUN_LIST_COLUMNS} FROM flow_runs ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY created_at DESC, id LIMIT ${limit}`,
      values,
    );
    return rows.map(toFlowRun);
  }

  /** One flow run by id, or `undefined`. */
  async getFlowRun(id: string): Promise<FlowRunRecord | undefined> {
    await this.settleCrashedRuns();
    const row = await this.db.get<SqlRow>("SELECT * FROM flow_runs WHERE id = ?", [id]);
    return row ? toFlowRun(row) : undefined;
  }

  /**
   * The flow runs whose id starts with `prefix` (at most `limit`), so people can type the
   * first characters of an id.
   */
  async findFlowRuns(prefix: string, limit = 2): Promise<FlowRunRecord[]> {
    await this.settleCrashedRuns();
    const escaped = prefix.replace(/[\\%_]/g, (c) => `\\${c}`);
    const rows = await this.db.all<SqlRow>(
      `SELECT ${FLOW_RUN_LIST_COLUMNS} FROM flow_runs WHERE id LIKE ? ESCAPE '\\' ORDER BY created_at DESC LIMIT ${Math.max(1, Math.floor(limit))}`,
      [`${escaped}%`],
    );
    return rows.map(toFlowRun);
  }

  /** One task run by id, or `undefined`. */
  async getTaskRun(id: string): Promise<TaskRunRecord | undefined> {
    await this.ready();
    const row = await this.db.get<SqlRow>("SELECT * FROM task_runs WHERE id = ?", [id]);
    return row ? toTaskRun(row) : undefined;
  }

  /** The task runs of a flow run, in the order they were created. */
  async listTaskRuns(flowRunId: string): Promise<TaskRunRecord[]> {
    await this.ready();
    const rows = await this.db.all<SqlRow>(
      "SELECT * FROM task_runs WHERE flow_run_id = ? ORDER BY created_at, id",
      [flowRunId],
    );
    return rows.map(toTaskRun);
  }

  /** The log records of a flow run (or of a task run outside a flow), oldest first. */
  async logs(runId: string, options: LogQueryOptions = {}): Promise<RunLogRecord[]> {
    await this.ready();
    const where = ["(flow_run_id = ? OR (flow_run_id IS NULL AND task_run_id = ?))"];
    const values: unknown[] = [runId, runId];
    if (options.kind) {
      where.push("kind = ?");
      values.push(options.kind);
    }
    if (options.taskRunId) {
      where.push("task_run_id = ?");
      values.push(options.taskRunId);
    }
    const rows = await this.db.all<SqlRow>(`SELECT * FROM run_logs WHERE ${where.join(" AND ")} ORDER BY id`, values);
    return rows.map(toLog);
  }
}
