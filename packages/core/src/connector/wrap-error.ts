import type { DriverPlugin } from "../driver/contract.js";
import { createDatabaseError, type DatabaseError, isSqlBlocksError, type SqlBlocksError } from "../errors.js";
import type { Redactor } from "./redact.js";

/** TypeORM wraps native errors (QueryFailedError.driverError); classify the native one. */
function nativeError(error: unknown): unknown {
  if (typeof error === "object" && error !== null && "driverError" in error) {
    return (error as { driverError: unknown }).driverError ?? error;
  }
  return error;
}

/**
 * TypeORM releases a query runner itself when its connection reports an error (a killed
 * backend, say); the next statement on it then fails with QueryRunnerAlreadyReleasedError.
 * Core never reuses a runner it released, so this error means the connection was lost.
 */
function connectionReleasedByTypeorm(error: unknown): boolean {
  return error instanceof Error && error.name === "QueryRunnerAlreadyReleasedError";
}

/** Shortens SQL for messages: whole statements stay readable, huge ones are cut. */
export function sqlForMessage(sql: string): string {
  const flat = sql.replace(/\s+/g, " ").trim();
  return flat.length > 500 ? `${flat.slice(0, 500)}…` : flat;
}

/**
 * Turns whatever a driver threw into a {@link DatabaseError} carrying the SQL text and the
 * driver's code, never parameter values, with secrets redacted. The driver's classification
 * picks the portable subclass (`UniqueViolationError`, `ConnectionLostError`, …).
 */
export function wrapDatabaseError(
  error: unknown,
  plugin: DriverPlugin | undefined,
  redactor: Redactor,
  sql: string,
  index?: number,
): SqlBlocksError {
  if (isSqlBlocksError(error)) return error;
  const native = nativeError(error);
  redactor.scrub(native);
  const classification = connectionReleasedByTypeorm(native)
    ? { driverCode: undefined, transient: true, kind: "connection_lost" as const }
    : (plugin?.classifyError(native) ?? { transient: false });
  const raw = native instanceof Error ? native.message : String(native);
  const code = classification.driverCode;
  const message =
    `${code ? `[${code}] ` : ""}${redactor.redact(raw) || "database error"}` +
    (index === undefined ? "" : ` (parameter set ${index})`) +
    (sql ? ` — while running: ${redactor.redact(sqlForMessage(sql))}` : "");
  return createDatabaseError(classification.kind, message, {
    sql,
    driverCode: code,
    transient: classification.transient,
    index,
    cause: native,
  });
}
