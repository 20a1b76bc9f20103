/**
 * The states a flow run or task run passes through, as Prefect names them.
 *
 * - `PENDING`: created, waiting to start (e.g. a `task.map` item waiting for a slot).
 * - `RUNNING`: executing (including the pauses between retries).
 * - `COMPLETED`: the function returned.
 * - `FAILED`: the function threw (after its retries), or timed out.
 * - `CANCELLED`: stopped before it could finish because its parent run gave up on it.
 * - `CRASHED`: the process died (signal, uncaught exception, exit) while the run was active.
 */
export const RunState = {
  PENDING: "PENDING",
  RUNNING: "RUNNING",
  COMPLETED: "COMPLETED",
  FAILED: "FAILED",
  CANCELLED: "CANCELLED",
  CRASHED: "CRASHED",
} as const;

/** One of the {@link RunState} values. */
export type RunState = (typeof RunState)[keyof typeof RunState];

/** States after which a run never changes again. */
export const FINAL_STATES: ReadonlySet<RunState> = new Set<RunState>([
  RunState.COMPLETED,
  RunState.FAILED,
  RunState.CANCELLED,
  RunState.CRASHED,
]);

/** True when `state` is a state a run ends in. */
export function isFinalState(state: RunState): boolean {
  return FINAL_STATES.has(state);
}

/** Prefect's spelling of a state, for log lines: `Completed()`, `Failed('…')`. */
export function describeState(state: RunState, message?: string): string {
  const title = state.charAt(0) + state.slice(1).toLowerCase();
  return message === undefined ? `${title}()` : `${title}(${JSON.stringify(message).replace(/^"|"$/g, "'")})`;
}
