import type { StoreDatabase } from "@sqlblocks/core";
import { ensureFlowTables } from "./schema.js";

/** What {@link copyRunHistory} copied. */
export interface RunHistoryCopyResult {
  flowRuns: number;
  taskRuns: number;
  logs: number;
}

const FLOW_COLUMNS = "id, name, state, tags, attempts, error, created_at, started_at, ended_at, pid, hostname, parameters, result";
const TASK_COLUMNS = "id, flow_run_id, name, state, tags, attempts, error, created_at, started_at, ended_at, pid, hostname";
const LOG_COLUMNS = "flow_run_id, task_run_id, kind, level, message, duration_ms, row_count, at";

function placeholders(columns: string): string {
  return columns
    .split(",")
    .map(() => "?")
    .join(", ");
}

/**
 * Copies flow runs, task runs and their logs from one store into another (e.g. the
 * embedded store into a shared PostgreSQL store), in one transaction on the target. Runs
 * already in the target are left alone, and so are their logs: running it twice copies
 * nothing new.
 */
export async function copyRunHistory(from: StoreDatabase, to: StoreDatabase): Promise<RunHistoryCopyResult> {
  await ensureFlowTables(from);
  await ensureFlowTables(to);
  const flowRuns = await from.all<Record<string, unknown>>(`SELECT ${FLOW_COLUMNS} FROM flow_runs ORDER BY created_at, id`);
  const taskRuns = await from.all<Record<string, unknown>>(`SELECT ${TASK_COLUMNS} FROM task_runs ORDER BY created_at, id`);
  return to.transaction(async (tx) => {
    const result: RunHistoryCopyResult = { flowRuns: 0, taskRuns: 0, logs: 0 };
    const newFlows: string[] = [];
    const newStandaloneTasks: string[] = [];
    for (const run of flowRuns) {
      const { changes } = await tx.run(
        `INSERT INTO flow_runs (${FLOW_COLUMNS}) VALUES (${placeholders(FLOW_COLUMNS)}) ON CONFLICT (id) DO NOTHING`,
        FLOW_COLUMNS.split(", ").map((column) => run[column] ?? null),
      );
      if (changes > 0) newFlows.push(String(run.id));
      result.flowRuns += changes;
    }
    for (const run of taskRuns) {
      const { changes } = await tx.run(
        `INSERT INTO task_runs (${TASK_COLUMNS}) VALUES (${placeholders(TASK_COLUMNS)}) ON CONFLICT (id) DO NOTHING`,
        TASK_COLUMNS.split(", ").map((column) => run[column] ?? null),
      );
      if (changes > 0 && (run.flow_run_id === null || run.flow_run_id === undefined)) newStandaloneTasks.push(String(run.id));
      result.taskRuns += changes;
    }
    const copyLogs = async (where: string, id: string) => {
      const logs = await from.all<Record<string, unknown>>(`SELECT ${LOG_COLUMNS} FROM run_logs WHERE ${where} ORDER BY id`, [id]);
      for (const log of logs) {
        await tx.run(
          `INSERT INTO run_logs (${LOG_COLUMNS}) VALUES (${placeholders(LOG_COLUMNS)})`,
          LOG_COLUMNS.split(", ").map((column) => log[column] ?? null),
        );
      }
      result.logs += logs.length;
    };
    for (const id of newFlows) await copyLogs("flow_run_id = ?", id);
    for (const id of newStandaloneTasks) await copyLogs("flow_run_id IS NULL AND task_run_id = ?", id);
    return result;
  });
}
