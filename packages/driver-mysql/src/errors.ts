import { type ErrorClassification, TRANSIENT_SOCKET_CODES } from "@sqlblocks/core/driver";

/**
 * Server error numbers after which a retry may succeed: lock wait timeout (1205),
 * deadlock (1213), too many connections (1040), server shutdown (1053), network
 * read/write errors (1158–1161), connection killed (MariaDB 1927), client idle timeout
 * (MySQL 4031), and the client-side "server gone / lost connection" numbers (2006, 2013).
 */
const TRANSIENT_ERRNOS = new Set([1205, 1213, 1040, 1053, 1158, 1159, 1160, 1161, 1927, 4031, 2006, 2013]);

/** mysql2 and Node codes for a connection that is gone or could not be made. */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  "PROTOCOL_CONNECTION_LOST",
  "PROTOCOL_SEQUENCE_TIMEOUT",
  "POOL_ACQUIRE_TIMEOUT",
  ...TRANSIENT_SOCKET_CODES,
]);

function fieldOf(error: unknown, name: string): unknown {
  return typeof error === "object" && error !== null ? (error as Record<string, unknown>)[name] : undefined;
}

/**
 * Classifies a mysql2 error. `driverCode` is the server's error number as a string
 * (`"1062"` for a duplicate key) — the number is what MySQL and MariaDB both document;
 * the symbolic `code` (`ER_DUP_ENTRY`) stays on the error's `cause`. Errors without a
 * number (lost connections, socket errors) use mysql2's or Node's code
 * (`PROTOCOL_CONNECTION_LOST`, `ECONNRESET`).
 *
 * `transient` is set for lost connections, deadlocks (1213) and lock wait timeouts (1205);
 * a fatal mysql2 error without a server number (the connection is unusable) is transient too.
 */
export function classifyMysqlError(error: unknown): ErrorClassification {
  const errno = fieldOf(error, "errno");
  const code = fieldOf(error, "code");
  if (typeof errno === "number" && typeof code === "string" && code.startsWith("ER_")) {
    return { driverCode: String(errno), transient: TRANSIENT_ERRNOS.has(errno) };
  }
  if (typeof code === "string") {
    return { driverCode: code, transient: TRANSIENT_CODES.has(code) || fieldOf(error, "fatal") === true };
  }
  if (typeof errno === "number") return { driverCode: String(errno), transient: TRANSIENT_ERRNOS.has(errno) };
  if (fieldOf(error, "fatal") === true) return { driverCode: undefined, transient: true };
  const cause = fieldOf(error, "cause");
  if (cause !== undefined && cause !== error) return classifyMysqlError(cause);
  return { driverCode: undefined, transient: false };
}
