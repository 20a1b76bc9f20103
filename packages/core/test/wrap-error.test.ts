import { describe, expect, it } from "vitest";
import { Redactor } from "../src/connector/redact.js";
import { wrapDatabaseError } from "../src/connector/wrap-error.js";
import type { DriverPlugin, ErrorClassification } from "../src/driver/contract.js";
import {
  CheckViolationError,
  ConnectionLostError,
  createDatabaseError,
  DATABASE_ERROR_CLASSES,
  DatabaseError,
  type DatabaseErrorKind,
  DeadlockError,
  ForeignKeyViolationError,
  isSqlBlocksError,
  LockTimeoutError,
  NotNullViolationError,
  PermissionDeniedError,
  QueryCanceledError,
  SerializationFailureError,
  SqlSyntaxError,
  UniqueViolationError,
} from "../src/errors.js";

/** A plug-in whose classification is given: only classifyError matters to wrapDatabaseError. */
function classifying(classification: ErrorClassification): DriverPlugin {
  return { classifyError: () => classification } as unknown as DriverPlugin;
}

describe("wrapDatabaseError", () => {
  it("treats TypeORM's QueryRunnerAlreadyReleasedError as a lost connection: transient", () => {
    // TypeORM releases a runner itself when its connection errors (a killed backend), and the
    // next statement, e.g. COMMIT, then fails with this error.
    const released = Object.assign(new Error("Query runner already released. Cannot run queries anymore."), {
      name: "QueryRunnerAlreadyReleasedError",
    });
    const wrapped = wrapDatabaseError(released, undefined, new Redactor([]), "COMMIT");
    expect(wrapped).toBeInstanceOf(ConnectionLostError);
    expect(wrapped).toBeInstanceOf(DatabaseError);
    expect(wrapped.transient).toBe(true);
    expect(wrapped.code).toBe("SQLBLOCKS_CONNECTION_LOST");
  });

  it("leaves other errors to the driver's classification (none here: not transient)", () => {
    const wrapped = wrapDatabaseError(new Error("syntax error"), undefined, new Redactor([]), "SELEC 1");
    expect(wrapped.transient).toBe(false);
    expect(wrapped.code).toBe("SQLBLOCKS_DATABASE");
    expect(wrapped.constructor).toBe(DatabaseError);
    expect(wrapped.message).toContain("while running: SELEC 1");
  });

  const table: [DatabaseErrorKind, new (...args: never[]) => DatabaseError, string, boolean][] = [
    ["unique_violation", UniqueViolationError, "SQLBLOCKS_UNIQUE_VIOLATION", false],
    ["foreign_key_violation", ForeignKeyViolationError, "SQLBLOCKS_FOREIGN_KEY_VIOLATION", false],
    ["not_null_violation", NotNullViolationError, "SQLBLOCKS_NOT_NULL_VIOLATION", false],
    ["check_violation", CheckViolationError, "SQLBLOCKS_CHECK_VIOLATION", false],
    ["deadlock", DeadlockError, "SQLBLOCKS_DEADLOCK", true],
    ["serialization_failure", SerializationFailureError, "SQLBLOCKS_SERIALIZATION_FAILURE", true],
    ["lock_timeout", LockTimeoutError, "SQLBLOCKS_LOCK_TIMEOUT", true],
    ["query_canceled", QueryCanceledError, "SQLBLOCKS_QUERY_CANCELED", false],
    ["connection_lost", ConnectionLostError, "SQLBLOCKS_CONNECTION_LOST", true],
    ["sql_syntax", SqlSyntaxError, "SQLBLOCKS_SQL_SYNTAX", false],
    ["permission_denied", PermissionDeniedError, "SQLBLOCKS_PERMISSION_DENIED", false],
  ];

  it.each(table)("kind %s → %s with the stable code %s, whatever transient the driver says", (kind, ErrorClass, code, alwaysTransient) => {
    for (const transient of [false, true]) {
      const native = Object.assign(new Error("native message"), { code: "X1" });
      const wrapped = wrapDatabaseError(native, classifying({ driverCode: "X1", transient, kind }), new Redactor([]), "SELECT 1", 2);
      expect(wrapped).toBeInstanceOf(ErrorClass);
      expect(wrapped).toBeInstanceOf(DatabaseError);
      expect(isSqlBlocksError(wrapped)).toBe(true);
      expect(wrapped.code).toBe(code);
      expect(wrapped.name).toBe(ErrorClass.name);
      expect(wrapped.transient).toBe(alwaysTransient || transient);
      expect(wrapped).toMatchObject({ driverCode: "X1", sql: "SELECT 1", index: 2, cause: native });
      expect(wrapped.message).toBe("[X1] native message (parameter set 2) — while running: SELECT 1");
    }
  });

  it("has one class per kind, each with its own code, and an unknown kind gives a plain DatabaseError", () => {
    expect(Object.keys(DATABASE_ERROR_CLASSES).sort()).toEqual(table.map(([kind]) => kind).sort());
    expect(new Set(table.map(([, , code]) => code)).size).toBe(table.length);
    for (const kind of ["nope", "constructor", "toString"]) {
      const error = createDatabaseError(kind as DatabaseErrorKind, "m", { sql: "", transient: false });
      expect(error.constructor).toBe(DatabaseError);
      expect(error.code).toBe("SQLBLOCKS_DATABASE");
    }
  });
});
