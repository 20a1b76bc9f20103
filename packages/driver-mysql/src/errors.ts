import { type DatabaseErrorKind, type ErrorClassification, TRANSIENT_SOCKET_CODES } from "@sqlblocks/core/driver";

/**
 * Server error numbers after which a retry may succeed: record changed since read (1020), lock wait timeout (1205),
 * deadlock (1213), too many connections (1040), server shutdown (1053), network
 * read/write errors (1158–1161), connection killed (MariaDB 1927), client idle timeout
 * (MySQL 4031), and the client-side "server gone / lost connection" numbers (2006, 2013).
 */
const TRANSIENT_ERRNOS = new Set([1020, 1205, 1213, 1040, 1053, 1158, 1159, 1160, 1161, 1927, 4031, 2006, 2013]);

/** mysql2 and Node codes for a connection that is gone or could not be made. */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  "PROTOCOL_CONNECTION_LOST",
  "PROTOCOL_SEQUENCE_TIMEOUT",
  "POOL_ACQUIRE_TIMEOUT",
  ...TRANSIENT_SOCKET_CODES,
]);

/**
 * The portable kind of each MySQL / MariaDB error number that has one: duplicate key
 * (1062, 1586, 1022), foreign keys (1451, 1452, 1216, 1217), NOT NULL (1048, and 1364 for
 * a NOT NULL column left out in strict mode), CHECK (MySQL 3819, MariaDB 4025), deadlock
 * (1213), MariaDB's snapshot-isolation "record has changed" (1020), lock wait timeout
 * (1205), statement timeouts and kills (MySQL 3024, MariaDB 1969, 1317 interrupted),
 * lost connections (2006, 2013, 1927, 1053, 1158–1161, 4031), syntax (1064, 1149) and
 * privileges (1044, 1142, 1143, 1227, 1370).
 */
export const ERRNO_KINDS: ReadonlyMap<number, DatabaseErrorKind> = new Map<number, DatabaseErrorKind>([
  [1062, "unique_violation"],
  [1586, "unique_violation"],
  [1022, "unique_violation"],
  [1451, "foreign_key_violation"],
  [1452, "foreign_key_violation"],
  [1216, "foreign_key_violation"],
  [1217, "foreign_key_violation"],
  [1048, "not_null_violation"],
  [1364, "not_null_violation"],
  [3819, "check_violation"],
  [4025, "check_violation"],
  [1213, "deadlock"],
  [1020, "serialization_failure"],
  [1205, "lock_timeout"],
  [3024, "query_canceled"],
  [1969, "query_canceled"],
  [1317, "query_canceled"],
  [2006, "connection_lost"],
  [2013, "connection_lost"],
  [1927, "connection_lost"],
  [1053, "connection_lost"],
  [1158, "connection_lost"],
  [1159, "connection_lost"],
  [1160, "connection_lost"],
  [1161, "connection_lost"],
  [4031, "connection_lost"],
  [1064, "sql_syntax"],
  [1149, "sql_syntax"],
  [1044, "permission_denied"],
  [1142, "permission_denied"],
  [1143, "permission_denied"],
  [1227, "permission_denied"],
  [1370, "permission_denied"],
]);

function fieldOf(error: unknown, name: string): unknown {
  return typeof error === "object" && error !== null ? (error as Record<string, unknown>)[name] : undefined;
}

function byErrno(errno: number): ErrorClassification {
  return { driverCode: String(errno), transient: TRANSIENT_ERRNOS.has(errno), kind: ERRNO_KINDS.get(errno) };
}

/**
 * Classifies a mysql2 error. `driverCode` is the server's error number as a string
 * (`"1062"` for a duplicate key) — the number is what MySQL and MariaDB both document;
 * the symbolic `code` (`ER_DUP_ENTRY`) stays on the error's `cause`. Errors without a
 * number (lost connections, socket errors) use mysql2's or Node's code
 * (`PROTOCOL_CONNECTION_LOST`, `ECONNRESET`). `kind` comes from {@link ERRNO_KINDS}.
 *
 * `transient` is set for lost connections, deadlocks (1213) and lock wait timeouts (1205);
 * a fatal mysql2 error without a server number (the connection is unusable) is transient too.
 *
 * @example
 * classifyMysqlError({ errno: 1062, code: "ER_DUP_ENTRY", message: "Duplicate entry '1' for key 'PRIMARY'" })
 * // { driverCode: "1062", transient: false, kind: "unique_violation" }
 */
export function classifyMysqlError(error: unknown): ErrorClassification {
  const errno = fieldOf(error, "errno");
  const code = fieldOf(error, "code");
  if (typeof errno === "number" && typeof code === "string" && code.startsWith("ER_")) return byErrno(errno);
  if (typeof code === "string") {
    const lost = TRANSIENT_CODES.has(code) && code !== "POOL_ACQUIRE_TIMEOUT";
    const fatal = fieldOf(error, "fatal") === true;
    return {
      driverCode: code,
      transient: TRANSIENT_CODES.has(code) || fatal,
      kind: lost || fatal ? "connection_lost" : undefined,
    };
  }
  if (typeof errno === "number") return byErrno(errno);
  if (fieldOf(error, "fatal") === true) return { driverCode: undefined, transient: true, kind: "connection_lost" };
  const cause = fieldOf(error, "cause");
  if (cause !== undefined && cause !== error) return classifyMysqlError(cause);
  return { driverCode: undefined, transient: false };
}
