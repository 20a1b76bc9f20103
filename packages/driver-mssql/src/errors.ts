import type { DatabaseErrorKind, ErrorClassification } from "@sqlblocks/core/driver";

/**
 * SQL Server error numbers after which the same work may succeed if tried again.
 *
 * 1205 deadlock victim; 1222 lock request timeout; 3960 snapshot isolation update
 * conflict; 41301/41302/41305/41325/41839 In-Memory OLTP conflicts; and the errors Azure
 * SQL documents as transient (failover, throttling, resource limits): 40197, 40501,
 * 40613, 49918, 49919, 49920, 10928, 10929, 4221; and lost connections: 233, 64, 121,
 * 10053, 10054, 10060, -2 (timeout).
 */
export const TRANSIENT_ERROR_NUMBERS: ReadonlySet<number> = new Set([
  1205, 1222, 3960, 41301, 41302, 41305, 41325, 41839, 40197, 40501, 40613, 49918, 49919, 49920, 10928, 10929, 4221,
  233, 64, 121, 10053, 10054, 10060, -2,
]);

/** The deadlock-victim error number. */
export const DEADLOCK = 1205;

/**
 * mssql / tedious / Node codes for a connection that broke or timed out: ESOCKET and
 * ECLOSE (tedious), ECONNCLOSED (mssql), ETIMEOUT (connect, request or pool acquire
 * timeout), and the socket's own ECONNRESET, ECONNREFUSED, EPIPE, ETIMEDOUT.
 */
export const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  "ESOCKET",
  "ECLOSE",
  "ECONNCLOSED",
  "ETIMEOUT",
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
]);

/**
 * The portable kind of each SQL Server error number that has one: unique key and index
 * (2627, 2601), NOT NULL (515), deadlock victim (1205), snapshot and In-Memory OLTP
 * conflicts (3960, 41301, 41302, 41305, 41325), lock request timeout (1222), lost
 * connections (233, 64, 121, 10053, 10054, 10060, 40197, 40613), syntax (102, 156, 105,
 * 170), permissions (229, 230, 262, 300). Number 547 (a statement conflicted with a
 * constraint) is a foreign key or a check violation: its message says which.
 */
export const ERROR_NUMBER_KINDS: ReadonlyMap<number, DatabaseErrorKind> = new Map<number, DatabaseErrorKind>([
  [2627, "unique_violation"],
  [2601, "unique_violation"],
  [515, "not_null_violation"],
  [1205, "deadlock"],
  [3960, "serialization_failure"],
  [41301, "serialization_failure"],
  [41302, "serialization_failure"],
  [41305, "serialization_failure"],
  [41325, "serialization_failure"],
  [1222, "lock_timeout"],
  [233, "connection_lost"],
  [64, "connection_lost"],
  [121, "connection_lost"],
  [10053, "connection_lost"],
  [10054, "connection_lost"],
  [10060, "connection_lost"],
  [40197, "connection_lost"],
  [40613, "connection_lost"],
  [102, "sql_syntax"],
  [156, "sql_syntax"],
  [105, "sql_syntax"],
  [170, "sql_syntax"],
  [229, "permission_denied"],
  [230, "permission_denied"],
  [262, "permission_denied"],
  [300, "permission_denied"],
]);

/** The constraint-conflict number, whose message names the constraint's kind. */
const CONSTRAINT_CONFLICT = 547;

/** mssql/tedious codes of a connection that broke (ETIMEOUT is apart: a request timeout is a canceled query). */
const CONNECTION_LOST_CODES: ReadonlySet<string> = new Set(["ESOCKET", "ECLOSE", "ECONNCLOSED", "ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT"]);

interface ErrorFields {
  number?: unknown;
  code?: unknown;
  info?: { number?: unknown } | undefined;
  originalError?: unknown;
  cause?: unknown;
  precedingErrors?: unknown;
  errors?: unknown;
  name?: unknown;
  message?: unknown;
}

function fields(error: unknown): ErrorFields | undefined {
  return typeof error === "object" && error !== null ? (error as ErrorFields) : undefined;
}

function errorNumber(error: ErrorFields): number | undefined {
  const candidate = error.number ?? error.info?.number;
  if (typeof candidate === "number" && Number.isInteger(candidate)) return candidate;
  return undefined;
}

/** The error itself, then what it wraps (mssql's originalError, cause, AggregateError parts, preceding errors). */
function* related(error: unknown, depth = 0): Generator<ErrorFields> {
  const current = fields(error);
  if (!current || depth > 4) return;
  yield current;
  yield* related(current.originalError, depth + 1);
  yield* related(current.cause, depth + 1);
  for (const list of [current.precedingErrors, current.errors]) {
    if (Array.isArray(list)) for (const item of list) yield* related(item, depth + 1);
  }
}

function kindOfNumber(number: number, message: unknown): DatabaseErrorKind | undefined {
  if (number === CONSTRAINT_CONFLICT) {
    const text = typeof message === "string" ? message : "";
    if (/FOREIGN KEY|REFERENCE constraint/i.test(text)) return "foreign_key_violation";
    if (/CHECK constraint/i.test(text)) return "check_violation";
    return undefined;
  }
  return ERROR_NUMBER_KINDS.get(number);
}

function kindOfCode(item: ErrorFields, code: string): DatabaseErrorKind | undefined {
  if (code === "ECANCEL") return "query_canceled";
  // A request that ran past requestTimeout is canceled by tedious; a connect timeout is a lost connection.
  if (code === "ETIMEOUT") return item.name === "RequestError" ? "query_canceled" : "connection_lost";
  return CONNECTION_LOST_CODES.has(code) ? "connection_lost" : undefined;
}

/**
 * The SQL Server error number (as text) or the mssql/tedious code, whether a retry
 * may succeed, and the portable kind ({@link ERROR_NUMBER_KINDS}).
 *
 * @example
 * classifyMssqlError({ name: "RequestError", code: "EREQUEST", number: 1205 })
 * // { driverCode: "1205", transient: true, kind: "deadlock" }
 */
export function classifyMssqlError(error: unknown): ErrorClassification {
  let driverCode: string | undefined;
  let transient = false;
  let kind: DatabaseErrorKind | undefined;
  for (const item of related(error)) {
    const number = errorNumber(item);
    const code = typeof item.code === "string" ? item.code : undefined;
    if (driverCode === undefined) {
      if (number !== undefined) driverCode = String(number);
      else if (code !== undefined && code !== "EREQUEST") driverCode = code;
    }
    if (kind === undefined && number !== undefined) kind = kindOfNumber(number, item.message);
    if (kind === undefined && code !== undefined) kind = kindOfCode(item, code);
    if ((number !== undefined && TRANSIENT_ERROR_NUMBERS.has(number)) || (code !== undefined && TRANSIENT_CODES.has(code))) {
      transient = true;
    }
  }
  if (driverCode === undefined) {
    const code = fields(error)?.code;
    if (typeof code === "string") driverCode = code;
  }
  return { driverCode, transient, kind };
}
