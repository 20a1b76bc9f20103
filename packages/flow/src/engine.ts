import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { type StatementEvent, statementChannel } from "@sqlblocks/core";
import { type RunContext, runStorage } from "./context.js";
import { FlowTimeoutError, type RunKind, RunCancelledError, TaskTimeoutError } from "./errors.js";
import { currentRunExecutor, RunCancelRequestedError } from "./executor.js";
import type { FlowRunRecord, LogLevel, TaskRunRecord } from "./history/records.js";
import { recorder } from "./history/recorder.js";
import { newRunId } from "./ids.js";
import { createRunLogger, emitLog, type LogTarget, type RunLogger } from "./logger.js";
import { type ResolvedRunOptions, retryDelayFor } from "./options.js";
import { describeError, recordArguments, recordValue } from "./redact.js";
import { describeState, isFinalState, RunState } from "./states.js";
import { endRunSpan, inRunSpan, recordRetry, recordRunError, startRunSpan } from "./telemetry.js";

const hostname = os.hostname();
/** Task counters for tasks called outside any flow. */
const standaloneCounters = new Map<string, number>();

/** One flow run or task run of this process, from creation to its final state. */
export class ActiveRun implements LogTarget {
  readonly kind: RunKind;
  readonly options: ResolvedRunOptions;
  readonly record: FlowRunRecord | TaskRunRecord;
  readonly label: string;
  readonly runName: string;
  readonly flowRunId: string | undefined;
  readonly taskRunId: string | undefined;
  /** The context of the run that created this one. */
  readonly parent: RunContext | undefined;
  /** For a flow run: how many runs of each task it has created, for `name-N` labels. */
  readonly taskCounters = new Map<string, number>();
  readonly logger: RunLogger;
  /** The flow run this run belongs to (itself for a flow). */
  readonly flowRun: ActiveRun | undefined;

  constructor(kind: RunKind, options: ResolvedRunOptions, parent: RunContext | undefined, id: string) {
    this.kind = kind;
    this.options = options;
    this.parent = parent;
    const now = new Date().toISOString();
    const parentRun = parent ? runOf(parent) : undefined;
    if (kind === "flow") {
      this.flowRun = this;
      this.runName = options.name;
      this.flowRunId = id;
      this.taskRunId = undefined;
      this.label = `Flow run '${options.name}'`;
      this.record = {
        id,
        name: options.name,
        state: RunState.PENDING,
        tags: options.tags,
        attempts: 0,
        error: undefined,
        createdAt: now,
        startedAt: undefined,
        endedAt: undefined,
        pid: process.pid,
        hostname,
      } satisfies FlowRunRecord;
    } else {
      this.flowRun = parentRun?.flowRun;
      const counters = this.flowRun?.taskCounters ?? standaloneCounters;
      const index = counters.get(options.name) ?? 0;
      counters.set(options.name, index + 1);
      this.runName = `${options.name}-${index}`;
      this.flowRunId = this.flowRun?.record.id;
      this.taskRunId = id;
      this.label = `Task run '${this.runName}'`;
      this.record = {
        id,
        flowRunId: this.flowRunId,
        name: options.name,
        state: RunState.PENDING,
        tags: options.tags,
        attempts: 0,
        error: undefined,
        createdAt: now,
        startedAt: undefined,
        endedAt: undefined,
        pid: process.pid,
        hostname,
      } satisfies TaskRunRecord;
    }
    this.logger = createRunLogger(this);
  }

  get isFinal(): boolean {
    return isFinalState(this.record.state);
  }

  /** Hands the record to the recorder (written with the next batch). */
  save(): void {
    if (this.kind === "flow") recorder.flowRun(this.record as FlowRunRecord);
    else recorder.taskRun(this.record as TaskRunRecord);
  }

  start(): void {
    this.record.state = RunState.RUNNING;
    this.record.startedAt = new Date().toISOString();
    this.save();
  }

  /** Moves to a final state once; later calls (e.g. after a crash) change nothing. */
  finish(state: RunState, error?: string): boolean {
    if (this.isFinal) return false;
    this.record.state = state;
    this.record.error = error;
    this.record.endedAt = new Date().toISOString();
    this.save();
    untrack(this);
    endRunSpan(this);
    return true;
  }

  /** Drops a run that could not be recorded at all. */
  abandon(error: string): void {
    this.record.state = RunState.CRASHED;
    this.record.error = error;
    untrack(this);
  }

  log(level: LogLevel, message: string): void {
    emitLog(this, level, message);
  }
}

interface AttemptContext extends RunContext {
  readonly run: ActiveRun;
}

function runOf(context: RunContext): ActiveRun | undefined {
  return (context as Partial<AttemptContext>).run;
}

// ------------------------------------------------------------------ crash handling

const activeRuns = new Set<ActiveRun>();
let hooksInstalled = false;

function track(run: ActiveRun): void {
  activeRuns.add(run);
  if (!hooksInstalled) installHooks();
}

function untrack(run: ActiveRun): void {
  activeRuns.delete(run);
  if (activeRuns.size === 0 && hooksInstalled) removeHooks();
}

/** Marks every run of this process that has not finished CRASHED. */
function crashActiveRuns(reason: string): void {
  const runs = [...activeRuns];
  for (const run of runs) {
    if (run.finish(RunState.CRASHED, reason)) run.log("ERROR", `Crash detected! ${reason}`);
  }
}

async function onSignal(signal: NodeJS.Signals): Promise<void> {
  crashActiveRuns(`Execution was interrupted by ${signal}.`);
  removeHooks();
  await recorder.flush();
  // Let the signal do what it would have done without us (exit 130 / 143), unless the
  // application handles it itself.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function onUncaught(error: unknown): void {
  crashActiveRuns(`Execution was interrupted by an uncaught exception: ${describeError(error)}`);
  recorder.flushNow();
}

function onExit(code: number): void {
  crashActiveRuns(`The process exited (code ${code}) before the run finished.`);
  recorder.flushNow();
}

function installHooks(): void {
  hooksInstalled = true;
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("uncaughtExceptionMonitor", onUncaught);
  process.on("exit", onExit);
}

function removeHooks(): void {
  hooksInstalled = false;
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  process.off("uncaughtExceptionMonitor", onUncaught);
  process.off("exit", onExit);
}

// ------------------------------------------------------------------ statements

let statementsObserved = false;

function onStatement(message: unknown): void {
  const context = runStorage.getStore();
  const run = context ? runOf(context) : undefined;
  if (!run) return;
  const event = message as StatementEvent;
  emitLog(run, event.errorCode ? "ERROR" : "DEBUG", `${event.operation}: ${event.sql}${event.errorCode ? ` [failed: ${event.errorCode}]` : ""}`, {
    durationMs: event.durationMs,
    rowCount: event.rowCount,
  });
}

function observeStatements(): void {
  if (statementsObserved) return;
  statementsObserved = true;
  statementChannel.subscribe(onStatement);
}

// ------------------------------------------------------------------ running

/** Creates a run (PENDING) as a child of the current context; it is not recorded yet. */
export function createRun(kind: RunKind, options: ResolvedRunOptions, parent = runStorage.getStore()): ActiveRun {
  observeStatements();
  const executor = currentRunExecutor();
  const run = new ActiveRun(kind, options, parent, kind === "flow" && executor ? executor.nextFlowRunId() : newRunId());
  if (executor) {
    // A durable flow run outlives this process: no pid, so that no reader settles it CRASHED.
    if (kind === "flow") run.record.pid = undefined;
    run.record.tags = [...run.record.tags, ...executor.tags];
  }
  track(run);
  return run;
}

/** Makes sure the store is ready for a run that has no parent (or is a flow). */
export async function prepareRecording(run: ActiveRun): Promise<void> {
  if (run.parent === undefined || run.kind === "flow") {
    try {
      await recorder.attach();
    } catch (error) {
      // Nothing was recorded: forget the run rather than write it to some other store later.
      run.abandon(describeError(error));
      throw error;
    }
  }
}

async function invoke<A extends unknown[], R>(fn: (...args: A) => R, thisArg: unknown, args: A): Promise<Awaited<R>> {
  return await fn.apply(thisArg, args);
}

function attempt<A extends unknown[], R>(
  run: ActiveRun,
  attemptNumber: number,
  fn: (...args: A) => R,
  thisArg: unknown,
  args: A,
): Promise<Awaited<R>> {
  const controller = new AbortController();
  const parentSignal = run.parent?.signal;
  const context: AttemptContext = {
    kind: run.kind,
    runId: run.record.id,
    name: run.options.name,
    runName: run.runName,
    flowRunId: run.flowRunId,
    attempt: attemptNumber,
    signal: controller.signal,
    tags: run.options.tags,
    parent: run.parent,
    logger: run.logger,
    run,
  };
  const timeoutMs = run.options.timeoutMs;
  if (parentSignal?.aborted) {
    return Promise.reject(cancellation(run, parentSignal));
  }
  const pending = inRunSpan(run, () => runStorage.run(context, invoke<A, R>, fn, thisArg, args));
  if (timeoutMs === undefined && parentSignal === undefined) return pending;
  return new Promise<Awaited<R>>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onParentAbort = () => controller.abort(cancellation(run, parentSignal!));
    const done = () => {
      if (timer) clearTimeout(timer);
      parentSignal?.removeEventListener("abort", onParentAbort);
    };
    controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
    parentSignal?.addEventListener("abort", onParentAbort, { once: true });
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        const name = run.runName;
        controller.abort(run.kind === "flow" ? new FlowTimeoutError(name, timeoutMs) : new TaskTimeoutError(name, timeoutMs));
      }, timeoutMs);
    }
    pending.then(
      (value) => {
        done();
        resolve(value);
      },
      (error: unknown) => {
        done();
        reject(error);
      },
    );
  });
}

function cancellation(run: ActiveRun, parentSignal: AbortSignal): RunCancelledError {
  const parent = run.parent!;
  const reason = parentSignal.reason instanceof Error ? describeError(parentSignal.reason) : "it was aborted";
  return new RunCancelledError(run.kind, run.runName, `its ${parent.kind} run '${parent.runName}' stopped (${reason})`);
}

async function shouldRetry(run: ActiveRun, error: unknown, attemptNumber: number): Promise<boolean> {
  if (attemptNumber > run.options.retries) return false;
  const condition = run.options.retryCondition;
  if (!condition) return true;
  try {
    if (await condition(error, { attempt: attemptNumber, runName: run.options.name })) return true;
    run.log("INFO", `Not retrying: retryCondition refused ${describeError(error)}`);
  } catch (conditionError) {
    run.log("ERROR", `Not retrying: retryCondition threw ${describeError(conditionError)}`);
  }
  return false;
}

function kindTitle(run: ActiveRun): string {
  return run.kind === "flow" ? "Flow run" : "Task run";
}

/**
 * Runs `fn` as `run`: RUNNING, then attempts with retries and timeouts, then a final
 * state. Resolves with fn's result or rejects with its (last) error.
 */
export async function executeRun<A extends unknown[], R>(
  run: ActiveRun,
  fn: (...args: A) => R,
  thisArg: unknown,
  args: A,
): Promise<Awaited<R>> {
  const topLevel = run.parent === undefined;
  try {
    await prepareRecording(run);
    // A flow run records its parameters (redacted, capped); a task run does not.
    if (run.kind === "flow") (run.record as FlowRunRecord).parameters = recordArguments(args);
    run.start();
    startRunSpan(run);
    if (run.kind === "flow") {
      run.log("INFO", `Beginning flow run '${run.record.id}' for flow '${run.options.name}'`);
      // The RUNNING row (with our pid) is in the store before any work: a crash is detectable.
      await recorder.flush();
    }
    for (let attemptNumber = 1; ; attemptNumber++) {
      run.record.attempts = attemptNumber;
      try {
        const result = await attempt(run, attemptNumber, fn, thisArg, args);
        if (run.kind === "flow" && !run.isFinal) (run.record as FlowRunRecord).result = recordValue(result);
        if (run.finish(RunState.COMPLETED)) run.log("INFO", `Finished in state ${describeState(RunState.COMPLETED)}`);
        return result;
      } catch (error) {
        if (run.isFinal) throw error;
        if (error instanceof RunCancelledError && (run.parent?.signal.aborted || error instanceof RunCancelRequestedError)) {
          recordRunError(run, error);
          if (run.finish(RunState.CANCELLED, describeError(error))) {
            run.log("WARNING", `Finished in state ${describeState(RunState.CANCELLED, error.message)}`);
          }
          throw error;
        }
        if (await shouldRetry(run, error, attemptNumber)) {
          const delay = retryDelayFor(run.options, attemptNumber);
          recordRetry(run, error, attemptNumber, delay);
          run.log(
            "WARNING",
            `${kindTitle(run)} failed with exception: ${describeError(error)} - Retry ${attemptNumber}/${run.options.retries} will start ${Math.round(delay)} ms from now`,
          );
          run.save();
          if (delay > 0) {
            const parentSignal = run.parent?.signal;
            try {
              await sleep(delay, undefined, parentSignal ? { signal: parentSignal } : undefined);
            } catch {
              const cancelled = cancellation(run, parentSignal!);
              if (run.finish(RunState.CANCELLED, describeError(cancelled))) {
                run.log("WARNING", `Finished in state ${describeState(RunState.CANCELLED, cancelled.message)}`);
              }
              throw cancelled;
            }
          }
          continue;
        }
        const description = describeError(error);
        recordRunError(run, error);
        if (run.finish(RunState.FAILED, description)) {
          run.log("ERROR", `Finished in state ${describeState(RunState.FAILED, `${kindTitle(run)} encountered an exception ${description}`)}`);
        }
        throw error;
      }
    }
  } finally {
    if (!run.isFinal) run.finish(RunState.CRASHED, "the run ended without reaching a final state");
    if (topLevel) await recorder.flush();
  }
}

/** Ends a run that never started (e.g. a `task.map` item after an earlier item failed). */
export function cancelRun(run: ActiveRun, reason: string): void {
  if (run.finish(RunState.CANCELLED, reason)) {
    run.log("WARNING", `Finished in state ${describeState(RunState.CANCELLED, reason)}`);
  }
}
