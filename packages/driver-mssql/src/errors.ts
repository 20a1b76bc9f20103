import type { ErrorClassification } from "@sqlblocks/core/driver";

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

interface ErrorFields {
  number?: unknown;
  code?: unknown;
  info?: { number?: unknown } | undefined;
  originalError?: unknown;
  cause?: unknown;
  precedingErrors?: unknown;
  errors?: unknown;
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

/**
 * The SQL Server error number (as text) or the mssql/tedious code, and whether a retry
 * may succeed.
 *
 * @example
 * classifyMssqlError({ name: "RequestError", code: "EREQUEST", number: 1205 })
 * // { driverCode: "1205", transient: true }
 */
export function classifyMssqlError(error: unknown): ErrorClassification {
  let driverCode: string | undefined;
  let transient = false;
  for (const item of related(error)) {
    const number = errorNumber(item);
    const code = typeof item.code === "string" ? item.code : undefined;
    if (driverCode === undefined) {
      if (number !== undefined) driverCode = String(number);
      else if (code !== undefined && code !== "EREQUEST") driverCode = code;
    }
    if ((number !== undefined && TRANSIENT_ERROR_NUMBERS.has(number)) || (code !== undefined && TRANSIENT_CODES.has(code))) {
      transient = true;
    }
  }
  if (driverCode === undefined) {
    const code = fields(error)?.code;
    if (typeof code === "string") driverCode = code;
  }
  return { driverCode, transient };
}
