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
    [oraError(60, "deadlock detected while waiting for resource"), "ORA-00060", true],
    [oraError(8177, "can't serialize access for this transaction"), "ORA-08177", true],
    [oraError(54, "resource busy and acquire with NOWAIT specified or timeout expired"), "ORA-00054", true],
    [oraError(3113, "end-of-file on communication channel"), "ORA-03113", true],
    [oraError(3114, "not connected to ORACLE"), "ORA-03114", true],
    [oraError(3135, "connection lost contact"), "ORA-03135", true],
    [oraError(1089, "immediate shutdown or close in progress"), "ORA-01089", true],
    [oraError(12514, "Cannot connect to database. Service x is not registered with the listener"), "ORA-12514", true],
    [oraError(1, "unique constraint (SCOTT.PK_T) violated"), "ORA-00001", false],
    [oraError(942, "table or view does not exist"), "ORA-00942", false],
    [oraError(900, "invalid SQL statement"), "ORA-00900", false],
    [oraError(1722, "invalid number"), "ORA-01722", false],
    [oraError(1017, "invalid username/password; logon denied"), "ORA-01017", false],
    // node-oracledb turns ORA-03113 into NJS-500 and keeps the number.
    [njsError("NJS-500", "connection to Oracle Database was closed or broken\nORA-03113: end-of-file", { errorNum: 3113, isRecoverable: true }), "ORA-03113", true],
    [njsError("NJS-500", "connection to Oracle Database was closed or broken", { isRecoverable: true }), "NJS-500", true],
    [njsError("NJS-501", "connection to host db port 1521 terminated unexpectedly."), "NJS-501", true],
    [njsError("NJS-503", "connection to host db port 1521 could not be established."), "NJS-503", true],
    [njsError("NJS-510", "connection to host db port 1521 timed out."), "NJS-510", true],
    [njsError("NJS-521", "connection to host db port 1521 received end-of-file on communication channel."), "NJS-521", true],
    [njsError("NJS-003", "invalid or closed connection"), "NJS-003", true],
    [njsError("NJS-040", 'connection request timeout. Request exceeded "queueTimeout" of 60000'), "NJS-040", true],
    [njsError("NJS-011", "encountered bind value and type mismatch"), "NJS-011", false],
    [njsError("NJS-098", "2 positional bind values are required but 1 were provided"), "NJS-098", false],
  ])("%s → %s, transient %s", (error, driverCode, transient) => {
    expect(classifyOracleError(error)).toEqual({ driverCode, transient });
    expect(oraclePlugin.classifyError(error)).toEqual({ driverCode, transient });
  });

  it("reads a batch error, which carries only its message and offset", () => {
    const batchError = Object.assign(new Error("ORA-00001: unique constraint (SCOTT.PK_T) violated"), { offset: 3 });
    expect(classifyOracleError(batchError)).toEqual({ driverCode: "ORA-00001", transient: false });
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
