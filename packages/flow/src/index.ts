/**
 * Flows and tasks for sqlblocks: run states, retries, timeouts, a run logger, and run
 * history kept in the block store.
 *
 * @packageDocumentation
 */
export { MAX_RECORDED_VALUE_CHARS, recordValue } from "./redact.js";
export { currentRunContext, getRunContext, getRunLogger, type RunContext } from "./context.js";
export { type Flow, flow, type MapOptions, type Task, task } from "./define.js";
export { currentRunExecutor, RunCancelRequestedError, type RunExecutor, withRunExecutor } from "./executor.js";
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
export {
  LOG_LEVELS,
  type RunDetail,
  type RunFilter,
  type RunHistoryBucket,
  type RunHistorySeries,
  type RunLogPageOptions,
  type RunPage,
  type RunPageOptions,
  RunQuery,
  type RunSummary,
} from "./history/query.js";
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
export {
  ATTR_FLOW_RUN_ID,
  ATTR_RUN_ATTEMPT,
  ATTR_RUN_ID,
  ATTR_RUN_KIND,
  ATTR_RUN_LABEL,
  ATTR_RUN_NAME,
  ATTR_RUN_STATE,
  ATTR_RUN_TAGS,
  FLOW_INSTRUMENTATION_SCOPE,
  RETRY_EVENT,
} from "./telemetry.js";
export { extractTraceContext, injectTraceContext, type TraceCarrier, withTraceContext } from "@sqlblocks/core";
export { type TransferTaskInput, transferTask } from "./tasks/transfer.js";
