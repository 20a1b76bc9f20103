import type { Attributes, Span } from "@opentelemetry/api";
import { isSqlBlocksError } from "../errors.js";
import { maskUrlPasswords } from "../url/index.js";
import { openTelemetry } from "./api.js";
import { ATTR_DB_RESPONSE_STATUS_CODE, ATTR_ERROR_TYPE } from "./names.js";

/** The driver's code (SQLSTATE, errno, ORA-nnnnn) a wrapped error carries, if any. */
export function driverCodeOf(error: unknown): string | undefined {
  const code = (error as { driverCode?: unknown } | null)?.driverCode;
  return typeof code === "string" && code !== "" ? code : undefined;
}

/**
 * `error.type`: the database's code when it gave one, else sqlblocks' stable code, else the
 * error's class name: always low-cardinality.
 */
export function errorTypeOf(error: unknown): string {
  const driverCode = driverCodeOf(error);
  if (driverCode) return driverCode;
  if (isSqlBlocksError(error)) return error.code;
  if (error instanceof Error) return error.name && error.name !== "Error" ? error.name : error.constructor?.name || "_OTHER";
  return "_OTHER";
}

/** The attributes a failed operation adds to its span and its duration metric. */
export function errorAttributes(error: unknown): Attributes {
  const driverCode = driverCodeOf(error);
  const attributes: Attributes = { [ATTR_ERROR_TYPE]: errorTypeOf(error) };
  if (driverCode) attributes[ATTR_DB_RESPONSE_STATUS_CODE] = driverCode;
  return attributes;
}

/**
 * Marks a span failed and records the exception by class and code only. A database's own
 * message can quote the offending value (MySQL: "Duplicate entry 'x' for key …"), and the
 * stack's first line repeats the message, so neither goes into telemetry for sqlblocks'
 * errors; the run history and the thrown error keep the full text.
 */
export function recordFailure(span: Span, error: unknown, attributes: Attributes = errorAttributes(error)): void {
  const type = String(attributes[ATTR_ERROR_TYPE]);
  const name = error instanceof Error ? error.name || "Error" : "Error";
  const safeMessage = isSqlBlocksError(error) ? `${name} (${type})` : undefined;
  if (safeMessage !== undefined) {
    span.addEvent("exception", { "exception.type": name, "exception.message": safeMessage });
  } else {
    // Another error (the application's own): its text, with any URL password masked.
    const message = maskUrlPasswords(error instanceof Error ? error.message : String(error));
    const stack = error instanceof Error && error.stack ? maskUrlPasswords(error.stack) : undefined;
    span.recordException({ name, message, ...(stack === undefined ? {} : { stack }) });
  }
  span.setAttributes(attributes);
  span.setStatus({
    code: openTelemetry().SpanStatusCode.ERROR,
    message: safeMessage ?? maskUrlPasswords(error instanceof Error ? error.message : type),
  });
}
