/**
 * Flows and tasks for sqlblocks: run states, retries, timeouts, a run logger, and run
 * history kept in the block store.
 *
 * @packageDocumentation
 */
export { currentRunContext, getRunContext, getRunLogger, type RunContext } from "./context.js";
export { type Flow, flow, type MapOptions, type Task, task } from "./define.js";
export {
  FlowTimeoutError,
  InvalidRunOptionsError,
  MissingRunContextError,
  RunCancelledError,
  type RunKind,
  RunTimeoutError,
  TaskTimeoutError,
} from "./errors.js";
export {
  durationBetween,
  type FlowRunRecord,
  type LogLevel,
  type RunLogRecord,
  type TaskRunRecord,
} from "./history/records.js";
export { configureRunHistory, flushRunHistory, type RunHistoryConfig } from "./history/recorder.js";
export { copyRunHistory, type RunHistoryCopyResult } from "./history/copy.js";
export { ensureFlowTables, FLOW_MIGRATIONS, FLOW_OWNER, FLOW_SCHEMA_VERSION } from "./history/schema.js";
export {
  isProcessAlive,
  type ListFlowRunsOptions,
  type LogQueryOptions,
  type ProcessProbe,
  RunHistory,
} from "./history/repository.js";
export {
  configureRunLogging,
  formatLogLine,
  LOGGING_LEVEL_ENV,
  type RunLogger,
  type RunLoggingConfig,
} from "./logger.js";
export {
  type FlowOptions,
  isTransientError,
  type ResolvedRunOptions,
  type RetryInfo,
  type RunOptions,
  type TaskOptions,
} from "./options.js";
export { describeState, FINAL_STATES, isFinalState, RunState } from "./states.js";
export { type TransferTaskInput, transferTask } from "./tasks/transfer.js";
