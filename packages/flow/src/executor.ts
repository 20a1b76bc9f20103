import { AsyncLocalStorage } from "node:async_hooks";
import { type RunKind, RunCancelledError } from "./errors.js";

/**
 * Runs the flows and tasks started in one async context somewhere other than plainly in
 * this process. In-process execution needs none; `@sqlblocks/dbos` installs one for each
 * durable flow run so that every task call becomes a checkpointed DBOS step.
 */
export interface RunExecutor {
  /**
   * The id of the next flow run started in this context. It must be the same when a
   * durable flow is replayed after a crash, so that the replay updates the same record.
   */
  nextFlowRunId(): string;
  /** Tags added to every run started in this context (e.g. `worker:w1`). */
  readonly tags: readonly string[];
  /**
   * Runs one call of a task. `execute` creates the task run and takes it to a final state
   * (retries and timeouts included) and resolves with its result; an executor may instead
   * return the result it recorded the first time, without calling `execute`.
   */
  runTask<R>(taskName: string, execute: () => Promise<R>): Promise<R>;
}

// One storage per process, even when two copies of this package are installed (the
// executor's package may resolve another copy than the user's flows do).
const STORAGE_KEY = Symbol.for("sqlblocks.flow.runExecutor");
const shared = globalThis as Record<symbol, AsyncLocalStorage<RunExecutor> | undefined>;
shared[STORAGE_KEY] ??= new AsyncLocalStorage<RunExecutor>();
const executorStorage: AsyncLocalStorage<RunExecutor> = shared[STORAGE_KEY];

/**
 * Calls `fn` with `executor` in charge of the flows and tasks it starts.
 *
 * @example
 * await withRunExecutor(durableExecutor, () => etl({ day: "2024-01-01" }));
 */
export function withRunExecutor<R>(executor: RunExecutor, fn: () => R): R {
  return executorStorage.run(executor, fn);
}

/** The executor of the current context, or `undefined` for plain in-process runs. */
export function currentRunExecutor(): RunExecutor | undefined {
  return executorStorage.getStore();
}

/**
 * A run was cancelled from outside (e.g. `sqlblocks runs cancel`), not by its parent: the
 * run ends CANCELLED rather than FAILED and is not retried.
 */
export class RunCancelRequestedError extends RunCancelledError {
  constructor(runKind: RunKind, runName: string) {
    super(runKind, runName, "cancellation was requested (sqlblocks runs cancel)");
  }
}
