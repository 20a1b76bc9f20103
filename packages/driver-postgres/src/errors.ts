import { type DatabaseErrorKind, type ErrorClassification, TRANSIENT_SOCKET_CODES } from "@sqlblocks/core/driver";

/**
 * SQLSTATEs after which a retry may succeed: serialization failure, deadlock, lock not
 * available, too many connections, and the server ending the session (admin shutdown,
 * crash shutdown, cannot connect now). Class 08 (connection exception) is matched apart.
 */
const TRANSIENT_SQLSTATES = new Set(["40001", "40P01", "55P03", "53300", "57P01", "57P02", "57P03"]);

/**
 * The portable kind of each SQLSTATE that has one (PostgreSQL Appendix A). Class 08
 * (connection exception) is matched apart and is `connection_lost`.
 */
export const SQLSTATE_KINDS: Readonly<Record<string, DatabaseErrorKind>> = {
  "23505": "unique_violation",
  "23503": "foreign_key_violation",
  "23502": "not_null_violation",
  "23514": "check_violation",
  "40P01": "deadlock",
  "40001": "serialization_failure",
  "55P03": "lock_timeout",
  "57014": "query_canceled",
  "57P01": "connection_lost",
  "57P02": "connection_lost",
  "57P03": "connection_lost",
  "42601": "sql_syntax",
  "42501": "permission_denied",
};

/** pg reports a lost connection by message only. */
const CONNECTION_LOST_MESSAGES =
  /Connection terminated|connection error and is not queryable|Client was closed and is not queryable|timeout exceeded when trying to connect|terminating connection/i;

const SQLSTATE = /^[0-9A-Z]{5}$/;

function fieldOf(error: unknown, name: string): unknown {
  return typeof error === "object" && error !== null ? (error as Record<string, unknown>)[name] : undefined;
}

function sqlstateKind(code: string): DatabaseErrorKind | undefined {
  if (Object.hasOwn(SQLSTATE_KINDS, code)) return SQLSTATE_KINDS[code];
  return code.startsWith("08") ? "connection_lost" : undefined;
}

/**
 * Classifies a pg error: the SQLSTATE (e.g. `23505`) or Node's socket code as `driverCode`,
 * its portable `kind` (see {@link SQLSTATE_KINDS}), and `transient` for lost connections,
 * serialization failures, deadlocks and lock timeouts.
 *
 * @example
 * classifyPostgresError({ code: "23505", message: "duplicate key value violates unique constraint" })
 * // { driverCode: "23505", transient: false, kind: "unique_violation" }
 */
export function classifyPostgresError(error: unknown): ErrorClassification {
  const code = fieldOf(error, "code");
  // Socket codes first: EPIPE has the shape of a SQLSTATE.
  if (typeof code === "string" && TRANSIENT_SOCKET_CODES.has(code)) {
    return { driverCode: code, transient: true, kind: "connection_lost" };
  }
  if (typeof code === "string" && SQLSTATE.test(code)) {
    return { driverCode: code, transient: TRANSIENT_SQLSTATES.has(code) || code.startsWith("08"), kind: sqlstateKind(code) };
  }
  const message = error instanceof Error ? error.message : typeof error === "string" ? error : "";
  if (CONNECTION_LOST_MESSAGES.test(message)) {
    return { driverCode: typeof code === "string" ? code : undefined, transient: true, kind: "connection_lost" };
  }
  const cause = fieldOf(error, "cause");
  if (cause !== undefined && cause !== error) {
    const inner = classifyPostgresError(cause);
    if (inner.driverCode !== undefined || inner.transient) return inner;
  }
  return { driverCode: typeof code === "string" ? code : undefined, transient: false };
}
