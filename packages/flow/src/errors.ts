import { SqlBlocksError } from "@sqlblocks/core";

/** Which kind of run an error or record belongs to. */
export type RunKind = "flow" | "task";

/**
 * A run attempt took longer than its `timeoutMs`. The attempt fails with this error and the
 * run's `AbortSignal` (`getRunContext().signal`) is aborted with it as the reason, so the
 * function can stop its work. Retries apply to timeouts like to any other error.
 */
export class RunTimeoutError extends SqlBlocksError {
  override readonly transient = true;

  constructor(
    /** Whether a flow run or a task run timed out. */
    readonly runKind: RunKind,
    /** The flow or task name. */
    readonly runName: string,
    /** The limit that was exceeded. */
    readonly timeoutMs: number,
  ) {
    super(
      "SQLBLOCKS_RUN_TIMEOUT",
      `${runKind} run '${runName}' timed out after ${timeoutMs} ms: raise timeoutMs or make the ${runKind} faster`,
    );
  }
}

/** A task run exceeded its `timeoutMs`. */
export class TaskTimeoutError extends RunTimeoutError {
  constructor(runName: string, timeoutMs: number) {
    super("task", runName, timeoutMs);
  }
}

/** A flow run exceeded its `timeoutMs`. */
export class FlowTimeoutError extends RunTimeoutError {
  constructor(runName: string, timeoutMs: number) {
    super("flow", runName, timeoutMs);
  }
}

/** A run was cancelled before it finished, because the run that started it gave up. */
export class RunCancelledError extends SqlBlocksError {
  constructor(
    readonly runKind: RunKind,
    readonly runName: string,
    reason: string,
  ) {
    super("SQLBLOCKS_RUN_CANCELLED", `${runKind} run '${runName}' was cancelled: ${reason}`);
  }
}

/** `getRunContext()` was called outside a flow or task. */
export class MissingRunContextError extends SqlBlocksError {
  constructor() {
    super(
      "SQLBLOCKS_NO_RUN_CONTEXT",
      "there is no run context here: call getRunContext() inside a function wrapped with flow() or task()",
    );
  }
}

/** The options given to `flow()` or `task()` are not valid. */
export class InvalidRunOptionsError extends SqlBlocksError {
  constructor(reason: string) {
    super("SQLBLOCKS_INVALID_RUN_OPTIONS", `invalid run options: ${reason}`);
  }
}
