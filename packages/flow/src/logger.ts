import { format } from "node:util";
import { maskUrlPasswords } from "@sqlblocks/core";
import type { LogLevel } from "./history/records.js";
import { recorder } from "./history/recorder.js";

const LEVEL_RANK: Readonly<Record<LogLevel, number>> = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40, CRITICAL: 50 };

/** The environment variable that sets the lowest level logged (default `INFO`). */
export const LOGGING_LEVEL_ENV = "SQLBLOCKS_LOGGING_LEVEL";

/** Where console lines go and from which level on; see {@link configureRunLogging}. */
export interface RunLoggingConfig {
  /** The lowest level written to the console and the store (default `$SQLBLOCKS_LOGGING_LEVEL` or `INFO`). */
  level?: LogLevel;
  /** Where readable lines go: a stream, or `false` for none (default `process.stderr`). */
  console?: NodeJS.WritableStream | false;
}

/**
 * Logs attached to the current run, as returned by {@link getRunLogger}. Arguments are
 * formatted like `console.log` (`util.format`); URL passwords are masked and
 * {@link Secret}s print as `********`.
 */
export interface RunLogger {
  debug(message: unknown, ...args: unknown[]): void;
  info(message: unknown, ...args: unknown[]): void;
  warning(message: unknown, ...args: unknown[]): void;
  /** Same as {@link RunLogger.warning}. */
  warn(message: unknown, ...args: unknown[]): void;
  error(message: unknown, ...args: unknown[]): void;
  critical(message: unknown, ...args: unknown[]): void;
}

/** The run a log line belongs to. */
export interface LogTarget {
  /** `Flow run 'etl'` or `Task run 'load-0'`. */
  readonly label: string;
  readonly flowRunId: string | undefined;
  readonly taskRunId: string | undefined;
}

let minimumRank: number | undefined;
let consoleStream: NodeJS.WritableStream | false | undefined;

function parseLevel(value: string | undefined): LogLevel | undefined {
  const upper = value?.trim().toUpperCase();
  if (upper === "WARN") return "WARNING";
  return upper && upper in LEVEL_RANK ? (upper as LogLevel) : undefined;
}

/**
 * Sets the logging level and the console stream for run logs.
 *
 * @example
 * configureRunLogging({ level: "DEBUG" });   // also print every statement
 * configureRunLogging({ console: false });   // store only
 */
export function configureRunLogging(config: RunLoggingConfig): void {
  if (config.level !== undefined) {
    const level = parseLevel(config.level);
    if (!level) throw new TypeError(`unknown log level ${String(config.level)}: use DEBUG, INFO, WARNING, ERROR or CRITICAL`);
    minimumRank = LEVEL_RANK[level];
  }
  if (config.console !== undefined) consoleStream = config.console;
}

function rank(): number {
  minimumRank ??= LEVEL_RANK[parseLevel(process.env[LOGGING_LEVEL_ENV]) ?? "INFO"];
  return minimumRank;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** `HH:MM:SS.mmm` in local time, like Prefect's console handler. */
export function formatClock(date: Date): string {
  const ms = date.getMilliseconds();
  return `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}.${ms < 10 ? "00" : ms < 100 ? "0" : ""}${ms}`;
}

/** One console line: `12:34:56.789 | INFO    | Flow run 'etl' - message`. */
export function formatLogLine(date: Date, level: LogLevel, label: string | undefined, message: string): string {
  return `${formatClock(date)} | ${level.padEnd(7)} | ${label ? `${label} - ` : ""}${message}\n`;
}

/** Extra fields of a statement record. */
export interface StatementDetails {
  durationMs: number;
  rowCount: number;
}

/**
 * Writes one record: a console line when the level is high enough, and (inside a run) a
 * record in the store. Statements are always stored; they reach the console at DEBUG.
 */
export function emitLog(
  target: LogTarget | undefined,
  level: LogLevel,
  rawMessage: string,
  statement?: StatementDetails,
): void {
  const meetsLevel = LEVEL_RANK[level] >= rank();
  if (!meetsLevel && !(statement && target)) return;
  const message = maskUrlPasswords(rawMessage);
  const now = new Date();
  if (meetsLevel) {
    const stream = consoleStream ?? process.stderr;
    if (stream) {
      const shown = statement
        ? `${message} (${statement.durationMs.toFixed(1)} ms, ${statement.rowCount} row${statement.rowCount === 1 ? "" : "s"})`
        : message;
      stream.write(formatLogLine(now, level, target?.label, shown));
    }
  }
  if (target) {
    recorder.log({
      flowRunId: target.flowRunId,
      taskRunId: target.taskRunId,
      kind: statement ? "statement" : "log",
      level,
      message,
      durationMs: statement?.durationMs,
      rowCount: statement?.rowCount,
      at: now.toISOString(),
    });
  }
}

/** A {@link RunLogger} writing to `target` (or to the console only, outside a run). */
export function createRunLogger(target: LogTarget | undefined): RunLogger {
  const at =
    (level: LogLevel) =>
    (message: unknown, ...args: unknown[]): void => {
      if (LEVEL_RANK[level] < rank()) return;
      emitLog(target, level, format(message, ...args));
    };
  const warning = at("WARNING");
  return {
    debug: at("DEBUG"),
    info: at("INFO"),
    warning,
    warn: warning,
    error: at("ERROR"),
    critical: at("CRITICAL"),
  };
}
