import { describe, expect, it } from "vitest";
import oraclePlugin, { classifyOracleError } from "../src/index.js";

/** A database error as node-oracledb's thin mode raises it. */
function oraError(errorNum: number, text: string, extra: Record<string, unknown> = {}): Error {
  const code = `ORA-${String(errorNum).padStart(5, "0")}`;
  return Object.assign(new Error(`${code}: ${text}\nHelp: https://docs.oracle.com/error-help/db/ora-${String(errorNum).padStart(5, "0")}/`), {
    errorNum,
    code,
    offset: 0,
    isRecoverable: false,
    ...extra,
  });
}

/** A node-oracledb error of its own (NJS-nnn). */
function njsError(code: string, text: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${code}: ${text}`), { code, isRecoverable: false, ...extra });
}

describe("Oracle error classification", () => {
  it.each([
    [oraError(60, "deadlock detected while waiting for resource"), "ORA-00060", true, "deadlock"],
    [oraError(8177, "can't serialize access for this transaction"), "ORA-08177", true, "serialization_failure"],
    [oraError(54, "resource busy and acquire with NOWAIT specified or timeout expired"), "ORA-00054", true, "lock_timeout"],
    [oraError(3113, "end-of-file on communication channel"), "ORA-03113", true, "connection_lost"],
    [oraError(3114, "not connected to ORACLE"), "ORA-03114", true, "connection_lost"],
    [oraError(3135, "connection lost contact"), "ORA-03135", true, "connection_lost"],
    [oraError(1089, "immediate shutdown or close in progress"), "ORA-01089", true, undefined],
    [oraError(12514, "Cannot connect to database. Service x is not registered with the listener"), "ORA-12514", true, undefined],
    [oraError(1, "unique constraint (SCOTT.PK_T) violated"), "ORA-00001", false, "unique_violation"],
    [oraError(942, "table or view does not exist"), "ORA-00942", false, undefined],
    [oraError(2291, "integrity constraint (SCOTT.FK_C) violated - parent key not found"), "ORA-02291", false, "foreign_key_violation"],
    [oraError(2292, "integrity constraint (SCOTT.FK_C) violated - child record found"), "ORA-02292", false, "foreign_key_violation"],
    [oraError(1400, 'cannot insert NULL into ("SCOTT"."T"."N")'), "ORA-01400", false, "not_null_violation"],
    [oraError(2290, "check constraint (SCOTT.CK_T) violated"), "ORA-02290", false, "check_violation"],
    [oraError(30006, "resource busy; acquire with WAIT timeout expired"), "ORA-30006", true, "lock_timeout"],
    [oraError(1013, "user requested cancel of current operation"), "ORA-01013", false, "query_canceled"],
    [oraError(28, "your session has been killed"), "ORA-00028", true, "connection_lost"],
    [oraError(933, "SQL command not properly ended"), "ORA-00933", false, "sql_syntax"],
    [oraError(1031, "insufficient privileges"), "ORA-01031", false, "permission_denied"],
    [njsError("DPI-1067", "call timeout of 100 ms exceeded with ORA-3156"), "DPI-1067", false, "query_canceled"],
    [oraError(900, "invalid SQL statement"), "ORA-00900", false, "sql_syntax"],
    [oraError(1722, "invalid number"), "ORA-01722", false, undefined],
    [oraError(1017, "invalid username/password; logon denied"), "ORA-01017", false, undefined],
    // node-oracledb turns ORA-03113 into NJS-500 and keeps the number.
    [njsError("NJS-500", "connection to Oracle Database was closed or broken\nORA-03113: end-of-file", { errorNum: 3113, isRecoverable: true }), "ORA-03113", true, "connection_lost"],
    [njsError("NJS-500", "connection to Oracle Database was closed or broken", { isRecoverable: true }), "NJS-500", true, "connection_lost"],
    [njsError("NJS-501", "connection to host db port 1521 terminated unexpectedly."), "NJS-501", true, "connection_lost"],
    [njsError("NJS-503", "connection to host db port 1521 could not be established."), "NJS-503", true, "connection_lost"],
    [njsError("NJS-510", "connection to host db port 1521 timed out."), "NJS-510", true, "connection_lost"],
    [njsError("NJS-521", "connection to host db port 1521 received end-of-file on communication channel."), "NJS-521", true, "connection_lost"],
    [njsError("NJS-003", "invalid or closed connection"), "NJS-003", true, "connection_lost"],
    [njsError("NJS-040", 'connection request timeout. Request exceeded "queueTimeout" of 60000'), "NJS-040", true, undefined],
    [njsError("NJS-011", "encountered bind value and type mismatch"), "NJS-011", false, undefined],
    [njsError("NJS-098", "2 positional bind values are required but 1 were provided"), "NJS-098", false, undefined],
  ])("%s → %s, transient %s, kind %s", (error, driverCode, transient, kind) => {
    expect(classifyOracleError(error)).toStrictEqual({ driverCode, transient, kind });
    expect(oraclePlugin.classifyError(error)).toStrictEqual({ driverCode, transient, kind });
  });

  it("reads a batch error, which carries only its message and offset", () => {
    const batchError = Object.assign(new Error("ORA-00001: unique constraint (SCOTT.PK_T) violated"), { offset: 3 });
    expect(classifyOracleError(batchError)).toEqual({ driverCode: "ORA-00001", transient: false, kind: "unique_violation" });
  });

  it("trusts node-oracledb's isRecoverable", () => {
    expect(classifyOracleError(oraError(28, "your session has been killed", { isRecoverable: true })).transient).toBe(true);
    expect(classifyOracleError(oraError(99999, "something else", { isRecoverable: true })).transient).toBe(true);
  });

  it("says nothing about values that are not errors", () => {
    expect(classifyOracleError("boom")).toEqual({ transient: false });
    expect(classifyOracleError(null)).toEqual({ transient: false });
  });
});
