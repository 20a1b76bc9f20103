import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { classifySqliteError, SQLITE_CODE_KINDS } from "../src/errors.js";
import sqlitePlugin from "../src/index.js";

/** The error better-sqlite3 throws for `sql` on a database with a few constrained tables. */
function raised(sql: string): unknown {
  const db = new Database(":memory:");
  db.pragma("foreign_keys = ON");
  db.exec(`CREATE TABLE p (id INTEGER PRIMARY KEY);
    CREATE TABLE t (id INTEGER PRIMARY KEY, u TEXT UNIQUE, n INTEGER NOT NULL, c INTEGER CHECK (c > 0), p INTEGER REFERENCES p(id));
    INSERT INTO p VALUES (1); INSERT INTO t VALUES (1, 'a', 1, 1, 1);`);
  try {
    db.exec(sql);
  } catch (error) {
    return error;
  } finally {
    db.close();
  }
  throw new Error(`no error from ${sql}`);
}

describe("SQLite error classification", () => {
  it.each([
    ["INSERT INTO t VALUES (1, 'b', 1, 1, 1)", "SQLITE_CONSTRAINT_PRIMARYKEY", "unique_violation"],
    ["INSERT INTO t VALUES (2, 'a', 1, 1, 1)", "SQLITE_CONSTRAINT_UNIQUE", "unique_violation"],
    ["INSERT INTO t VALUES (2, 'b', 1, 1, 9)", "SQLITE_CONSTRAINT_FOREIGNKEY", "foreign_key_violation"],
    ["INSERT INTO t VALUES (2, 'b', NULL, 1, 1)", "SQLITE_CONSTRAINT_NOTNULL", "not_null_violation"],
    ["INSERT INTO t VALUES (2, 'b', 1, -1, 1)", "SQLITE_CONSTRAINT_CHECK", "check_violation"],
    ["SELEC 1", "SQLITE_ERROR", "sql_syntax"],
    ["SELECT 'abc", "SQLITE_ERROR", "sql_syntax"],
    ["SELECT * FROM nope", "SQLITE_ERROR", undefined],
  ])("%s → %s, kind %s (from the real engine)", (sql, driverCode, kind) => {
    const error = raised(sql);
    expect(classifySqliteError(error)).toStrictEqual({ driverCode, transient: false, kind });
    expect(sqlitePlugin.classifyError(error)).toStrictEqual({ driverCode, transient: false, kind });
  });

  it.each([
    ["SQLITE_BUSY", true, "lock_timeout"],
    ["SQLITE_BUSY_TIMEOUT", true, "lock_timeout"],
    ["SQLITE_BUSY_SNAPSHOT", true, "serialization_failure"],
    ["SQLITE_LOCKED_SHAREDCACHE", true, "lock_timeout"],
    ["SQLITE_INTERRUPT", false, "query_canceled"],
    ["SQLITE_AUTH", false, "permission_denied"],
    ["SQLITE_PERM", false, "permission_denied"],
    ["SQLITE_CORRUPT", false, undefined],
  ])("%s → transient %s, kind %s", (code, transient, kind) => {
    expect(classifySqliteError({ code, message: "x" })).toStrictEqual({ driverCode: code, transient, kind });
  });

  it("maps every code in the table and says nothing about values without a code", () => {
    for (const [code, kind] of Object.entries(SQLITE_CODE_KINDS)) expect(classifySqliteError({ code }).kind).toBe(kind);
    expect(classifySqliteError({ code: "constructor" }).kind).toBeUndefined();
    expect(classifySqliteError(new TypeError("not open"))).toStrictEqual({ transient: false });
    expect(classifySqliteError(null)).toStrictEqual({ transient: false });
  });
});
