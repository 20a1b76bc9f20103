import { getDefaultStore } from "@sqlblocks/core";
import {
  durationBetween,
  type FlowRunRecord,
  formatLogLine,
  type LogLevel,
  RunHistory,
  type RunLogRecord,
  RunState,
  type TaskRunRecord,
} from "@sqlblocks/flow";
import { CommandError, UsageError } from "../errors.js";
import { formatDuration, formatTime, json, table } from "../format.js";
import type { CliIo } from "../io.js";

async function openHistory(): Promise<RunHistory> {
  return new RunHistory((await getDefaultStore()).db);
}

/** A flow run by id or unique id prefix (at least 4 characters), or a task run outside any flow by id. */
async function findRun(
  history: RunHistory,
  id: string,
): Promise<{ flowRun: FlowRunRecord; taskRun?: undefined } | { flowRun?: undefined; taskRun: TaskRunRecord }> {
  const exact = await history.getFlowRun(id);
  if (exact) return { flowRun: exact };
  const standalone = await history.getTaskRun(id);
  if (standalone && standalone.flowRunId === undefined) return { taskRun: standalone };
  if (id.length >= 4) {
    const matches = await history.findFlowRuns(id, 2);
    // The list query leaves out the parameters and result: read the one run whole.
    if (matches.length === 1) return { flowRun: (await history.getFlowRun(matches[0]!.id)) ?? matches[0]! };
    if (matches.length > 1) throw new UsageError(`run id prefix "${id}" matches several runs: give more characters`);
  }
  throw new CommandError(`no run with id "${id}": list runs with sqlblocks runs ls`);
}

/** A recorded parameter set or result (JSON text) as a value for --json. */
function recorded(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A recorded value on one line: its JSON, or what a truncated one was. */
function recordedLine(text: string): string {
  const value = recorded(text) as { $truncated?: unknown; chars?: unknown; preview?: unknown } | undefined;
  if (value && typeof value === "object" && value.$truncated === true) {
    return `${String(value.preview)}… (truncated: ${String(value.chars)} characters recorded, the first shown)`;
  }
  return text;
}

function durationOf(run: { startedAt: string | undefined; endedAt: string | undefined }): number | undefined {
  return durationBetween(run.startedAt, run.endedAt);
}

// ------------------------------------------------------------------ ls

export async function runsList(io: CliIo, options: { json?: boolean; limit?: string; flow?: string; state?: string }): Promise<void> {
  const limit = options.limit === undefined ? 20 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a whole number > 0, got "${options.limit}"`);
  let state: RunState | undefined;
  if (options.state !== undefined) {
    const upper = options.state.toUpperCase();
    if (!(upper in RunState)) throw new UsageError(`unknown state "${options.state}": use one of ${Object.values(RunState).join(", ")}`);
    state = upper as RunState;
  }
  const history = await openHistory();
  const runs = await history.listFlowRuns({ limit, name: options.flow, state });
  const withCounts = await Promise.all(
    runs.map(async (run) => ({ run, tasks: (await history.listTaskRuns(run.id)).length })),
  );
  if (options.json) {
    io.out(json(withCounts.map(({ run, tasks }) => ({ ...run, durationMs: durationOf(run), taskRuns: tasks }))));
    return;
  }
  if (runs.length === 0) {
    io.out("No flow runs yet.");
    return;
  }
  io.out(
    table(
      ["ID", "FLOW", "STATE", "STARTED", "DURATION", "TASKS"],
      withCounts.map(({ run, tasks }) => [
        run.id,
        run.name,
        run.state,
        formatTime(run.startedAt ?? run.createdAt),
        formatDuration(durationOf(run)),
        String(tasks),
      ]),
    ),
  );
}

// ------------------------------------------------------------------ show

interface StatementView {
  operation: string;
  sql: string;
  durationMs: number | undefined;
  rowCount: number | undefined;
  level: LogLevel;
  at: string;
}

function statementView(record: RunLogRecord): StatementView {
  const colon = record.message.indexOf(": ");
  return {
    operation: colon === -1 ? "statement" : record.message.slice(0, colon),
    sql: colon === -1 ? record.message : record.message.slice(colon + 2),
    durationMs: record.durationMs,
    rowCount: record.rowCount,
    level: record.level,
    at: record.at,
  };
}

function statementLine(statement: StatementView): string {
  const duration = statement.durationMs === undefined ? "" : `${statement.durationMs.toFixed(1)} ms`;
  const rows = statement.rowCount === undefined ? "" : `, ${statement.rowCount} row${statement.rowCount === 1 ? "" : "s"}`;
  return `${statement.operation}: ${statement.sql.replace(/\s+/g, " ").trim()}  (${duration}${rows})`;
}

export async function runsShow(io: CliIo, id: string, options: { json?: boolean }): Promise<void> {
  const history = await openHistory();
  const found = await findRun(history, id);
  const runId = found.flowRun?.id ?? found.taskRun!.id;
  const taskRuns = found.flowRun ? await history.listTaskRuns(runId) : [found.taskRun!];
  const statements = await history.logs(runId, { kind: "statement" });
  const byTask = new Map<string | undefined, StatementView[]>();
  for (const record of statements) {
    const key = record.taskRunId;
    const list = byTask.get(key) ?? [];
    list.push(statementView(record));
    byTask.set(key, list);
  }
  const flowStatements = found.flowRun ? (byTask.get(undefined) ?? []) : [];
  if (options.json) {
    io.out(
      json({
        flowRun: found.flowRun
          ? {
              ...found.flowRun,
              durationMs: durationOf(found.flowRun),
              parameters: recorded(found.flowRun.parameters),
              result: recorded(found.flowRun.result),
            }
          : undefined,
        statements: flowStatements,
        taskRuns: taskRuns.map((task) => ({ ...task, durationMs: durationOf(task), statements: byTask.get(task.id) ?? [] })),
      }),
    );
    return;
  }
  const lines: string[] = [];
  if (found.flowRun) {
    const run = found.flowRun;
    lines.push(
      `Flow run  ${run.id}`,
      `Flow      ${run.name}`,
      `State     ${run.state}${run.attempts > 1 ? ` after ${run.attempts} attempts` : ""}`,
      `Started   ${formatTime(run.startedAt)}`,
      `Ended     ${formatTime(run.endedAt)}`,
      `Duration  ${formatDuration(durationOf(run))}`,
      ...(run.tags.length ? [`Tags      ${run.tags.join(", ")}`] : []),
      ...(run.parameters !== undefined ? [`Parameters ${recordedLine(run.parameters)}`] : []),
      ...(run.result !== undefined ? [`Result    ${recordedLine(run.result)}`] : []),
      ...(run.error ? [`Error     ${run.error}`] : []),
    );
    for (const statement of flowStatements) lines.push(`  ${statementLine(statement)}`);
  } else {
    lines.push(`Task run ${runId} (outside any flow)`);
  }
  lines.push("", taskRuns.length === 0 ? "No task runs." : "Task runs:");
  for (const task of taskRuns) {
    const attempts = task.attempts > 1 ? `, ${task.attempts} attempts` : "";
    lines.push(`  ${task.name}  ${task.state}  ${formatDuration(durationOf(task))}${attempts}  ${task.id}`);
    if (task.error) lines.push(`    error: ${task.error}`);
    for (const statement of byTask.get(task.id) ?? []) lines.push(`    ${statementLine(statement)}`);
  }
  io.out(lines.join("\n"));
}

// ------------------------------------------------------------------ logs

export async function runsLogs(io: CliIo, id: string, options: { json?: boolean }): Promise<void> {
  const history = await openHistory();
  const found = await findRun(history, id);
  const runId = found.flowRun?.id ?? found.taskRun!.id;
  const taskRuns = found.flowRun ? await history.listTaskRuns(runId) : [found.taskRun!];
  const records = await history.logs(runId);
  if (options.json) {
    io.out(json(records));
    return;
  }
  // The same labels the run printed: the task name and how many runs of it came before.
  const labels = new Map<string, string>();
  const counters = new Map<string, number>();
  for (const task of taskRuns) {
    const index = counters.get(task.name) ?? 0;
    counters.set(task.name, index + 1);
    labels.set(task.id, `Task run '${task.name}-${index}'`);
  }
  const flowLabel = found.flowRun ? `Flow run '${found.flowRun.name}'` : undefined;
  if (records.length === 0) {
    io.out("No log records for this run.");
    return;
  }
  const text = records
    .map((record) => {
      const label = (record.taskRunId && labels.get(record.taskRunId)) || flowLabel;
      const message =
        record.kind === "statement"
          ? `${record.message} (${record.durationMs?.toFixed(1) ?? "?"} ms, ${record.rowCount ?? "?"} row${record.rowCount === 1 ? "" : "s"})`
          : record.message;
      return formatLogLine(new Date(record.at), record.level, label, message).trimEnd();
    })
    .join("\n");
  io.out(text);
}
