import type { DatabaseErrorKind, ErrorClassification } from "@sqlblocks/core/driver";

/**
 * ORA- numbers after which the same work may succeed if tried again.
 *
 * Deadlock and serialization: 60 (deadlock), 8177 (can't serialize access), 54 and
 * 30006 (resource busy), 51 (timeout waiting for a resource). Lost or refused sessions:
 * 3113, 3114, 3135, 28, 31, 603, 1012, 2396, 12153, 12537, 12547, 12570, 12571, 12583,
 * 25408. An instance starting, stopping or failing over: 1033, 1034, 1089, 1090, 1092,
 * 12514, 12516, 12519, 12520, 12521, 12528, 12757.
 */
export const TRANSIENT_ORA_NUMBERS: ReadonlySet<number> = new Set([
  60, 8177, 54, 30006, 51, 3113, 3114, 3135, 28, 31, 603, 1012, 2396, 12153, 12537, 12547, 12570, 12571, 12583, 25408,
  1033, 1034, 1089, 1090, 1092, 12514, 12516, 12519, 12520, 12521, 12528, 12757,
]);

/** The deadlock error number (ORA-00060). */
export const DEADLOCK = 60;

/**
 * node-oracledb codes for a connection that broke, could not be made, or could not be
 * had from the pool in time: NJS-003 (invalid or closed connection), NJS-040 (pool queue
 * timeout), NJS-500 (connection closed or broken), NJS-501 (terminated unexpectedly),
 * NJS-503 (could not be established), NJS-510 (connect timeout), NJS-521 (end-of-file on
 * the channel).
 */
export const TRANSIENT_NJS_CODES: ReadonlySet<string> = new Set([
  "NJS-003",
  "NJS-040",
  "NJS-500",
  "NJS-501",
  "NJS-503",
  "NJS-510",
  "NJS-521",
]);

/**
 * The portable kind of each ORA- number that has one: unique (1), foreign keys (2291
 * parent key not found, 2292 child record found), NOT NULL (1400, 1407), check (2290),
 * deadlock (60), serialization (8177), lock timeouts (54 NOWAIT busy, 30006 WAIT timeout,
 * 51), canceled calls (1013 user requested cancel, 3156 call timeout), lost sessions
 * (3113, 3114, 3135, 28, 31, 1012, 2396, 12153, 12537, 12547, 12570, 12571, 12583,
 * 25408), syntax (900–936 parse errors, 969) and privileges (1031).
 */
export const ORA_KINDS: ReadonlyMap<number, DatabaseErrorKind> = new Map<number, DatabaseErrorKind>([
  [1, "unique_violation"],
  [2291, "foreign_key_violation"],
  [2292, "foreign_key_violation"],
  [1400, "not_null_violation"],
  [1407, "not_null_violation"],
  [2290, "check_violation"],
  [60, "deadlock"],
  [8177, "serialization_failure"],
  [54, "lock_timeout"],
  [30006, "lock_timeout"],
  [51, "lock_timeout"],
  [1013, "query_canceled"],
  [3156, "query_canceled"],
  ...[3113, 3114, 3135, 28, 31, 1012, 2396, 12153, 12537, 12547, 12570, 12571, 12583, 25408].map(
    (n) => [n, "connection_lost"] as const,
  ),
  ...[900, 901, 905, 906, 907, 908, 909, 911, 917, 920, 921, 923, 924, 925, 926, 927, 928, 933, 936, 969].map(
    (n) => [n, "sql_syntax"] as const,
  ),
  [1031, "permission_denied"],
]);

/** node-oracledb codes of a connection that broke (NJS-040, a pool queue timeout, is transient but not lost). */
const CONNECTION_LOST_NJS_CODES: ReadonlySet<string> = new Set(["NJS-003", "NJS-500", "NJS-501", "NJS-503", "NJS-510", "NJS-521"]);

/** node-oracledb's call timeout (DPI-1067, with ORA-03156 in the message): a canceled call. */
const CALL_TIMEOUT_CODE = "DPI-1067";

interface OracleErrorFields {
  errorNum?: unknown;
  code?: unknown;
  message?: unknown;
  isRecoverable?: unknown;
  cause?: unknown;
}

const ORA_IN_MESSAGE = /\bORA-(\d{5})\b/;
const CODE_IN_MESSAGE = /^((?:ORA|NJS|DPI|TNS|PLS)-\d+)/;

function oraCode(number: number): string {
  return `ORA-${String(number).padStart(5, "0")}`;
}

/**
 * The ORA-nnnnn code (or NJS-nnn when the error is node-oracledb's own) and whether a
 * retry may succeed. node-oracledb reports some lost connections as NJS-500 with the
 * original ORA number in `errorNum`; both count.
 *
 * The portable kind comes from {@link ORA_KINDS}, else from the NJS code.
 *
 * @example
 * classifyOracleError({ message: "ORA-00060: deadlock detected while waiting for resource", errorNum: 60, code: "ORA-00060" })
 * // { driverCode: "ORA-00060", transient: true, kind: "deadlock" }
 */
export function classifyOracleError(error: unknown): ErrorClassification {
  if (typeof error !== "object" || error === null) return { transient: false };
  const fields = error as OracleErrorFields;
  const message = typeof fields.message === "string" ? fields.message : "";
  const code = typeof fields.code === "string" ? fields.code : CODE_IN_MESSAGE.exec(message)?.[1];
  let number = typeof fields.errorNum === "number" && fields.errorNum > 0 ? fields.errorNum : undefined;
  if (number === undefined) {
    const inMessage = ORA_IN_MESSAGE.exec(message)?.[1];
    if (inMessage !== undefined) number = Number(inMessage);
  }
  const driverCode = number !== undefined ? oraCode(number) : code;
  const transient =
    fields.isRecoverable === true ||
    (number !== undefined && TRANSIENT_ORA_NUMBERS.has(number)) ||
    (code !== undefined && TRANSIENT_NJS_CODES.has(code)) ||
    (fields.cause !== undefined && fields.cause !== error && classifyOracleError(fields.cause).transient);
  let kind = number !== undefined ? ORA_KINDS.get(number) : undefined;
  if (kind === undefined && code !== undefined) {
    if (CONNECTION_LOST_NJS_CODES.has(code)) kind = "connection_lost";
    else if (code === CALL_TIMEOUT_CODE) kind = "query_canceled";
  }
  return { driverCode, transient, kind };
}
