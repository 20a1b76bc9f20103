import type { DatabaseErrorKind, ErrorClassification } from "@sqlblocks/core/driver";

/** Result codes that mean "try again": another connection holds a lock. */
const TRANSIENT_CODES = /^SQLITE_(BUSY|LOCKED)/;

/**
 * The portable kind of each SQLite (extended) result code that has one. `SQLITE_BUSY`
 * means the busy timeout ran out waiting for another connection's lock;
 * `SQLITE_BUSY_SNAPSHOT` that a WAL read snapshot went stale under a writer (a
 * serialization failure); `SQLITE_INTERRUPT` that the statement was interrupted.
 * Codes are matched exactly first, then by their primary code (`SQLITE_BUSY_TIMEOUT` → `SQLITE_BUSY`).
 */
export const SQLITE_CODE_KINDS: Readonly<Record<string, DatabaseErrorKind>> = {
  SQLITE_CONSTRAINT_UNIQUE: "unique_violation",
  SQLITE_CONSTRAINT_PRIMARYKEY: "unique_violation",
  SQLITE_CONSTRAINT_FOREIGNKEY: "foreign_key_violation",
  SQLITE_CONSTRAINT_NOTNULL: "not_null_violation",
  SQLITE_CONSTRAINT_CHECK: "check_violation",
  SQLITE_BUSY_SNAPSHOT: "serialization_failure",
  SQLITE_BUSY: "lock_timeout",
  SQLITE_LOCKED: "lock_timeout",
  SQLITE_INTERRUPT: "query_canceled",
  SQLITE_AUTH: "permission_denied",
  SQLITE_PERM: "permission_denied",
};

/** SQLite reports a parse failure as plain SQLITE_ERROR; its message says so. */
const SYNTAX_MESSAGE = /syntax error|unrecognized token|incomplete input/i;

function kindOf(code: string, message: string): DatabaseErrorKind | undefined {
  if (Object.hasOwn(SQLITE_CODE_KINDS, code)) return SQLITE_CODE_KINDS[code];
  const primary = /^SQLITE_[A-Z]+/.exec(code)?.[0];
  if (primary !== undefined && primary !== code && Object.hasOwn(SQLITE_CODE_KINDS, primary)) return SQLITE_CODE_KINDS[primary];
  if (code === "SQLITE_ERROR" && SYNTAX_MESSAGE.test(message)) return "sql_syntax";
  return undefined;
}

/**
 * Classifies a better-sqlite3 error: its result code (`SQLITE_CONSTRAINT_UNIQUE`) as
 * `driverCode`, the portable `kind` from {@link SQLITE_CODE_KINDS}, and `transient` for
 * SQLITE_BUSY / SQLITE_LOCKED (another connection holds a lock).
 *
 * @example
 * classifySqliteError({ code: "SQLITE_CONSTRAINT_PRIMARYKEY", message: "UNIQUE constraint failed: t.id" })
 * // { driverCode: "SQLITE_CONSTRAINT_PRIMARYKEY", transient: false, kind: "unique_violation" }
 */
export function classifySqliteError(error: unknown): ErrorClassification {
  if (typeof error !== "object" || error === null) return { transient: false };
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code !== "string") return { transient: false };
  return {
    driverCode: code,
    transient: TRANSIENT_CODES.test(code),
    kind: kindOf(code, typeof message === "string" ? message : ""),
  };
}
