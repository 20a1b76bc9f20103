import mssql from "mssql";
import { describe, expect, it } from "vitest";
import mssqlPlugin, { classifyMssqlError } from "../src/index.js";

/** A server error as mssql builds it from tedious' ERROR token. */
function serverError(number: number, message: string): mssql.RequestError {
  const tedious = Object.assign(new Error(message), { info: { number, state: 1, class: 16, message } });
  return new mssql.RequestError(tedious, "EREQUEST");
}

/** A connection-level error as mssql wraps tedious' ConnectionError. */
function connectionError(code: string, message: string): mssql.ConnectionError {
  return new mssql.ConnectionError(Object.assign(new Error(message), { code }), code as mssql.MSSQL_ERROR_CODE);
}

describe("SQL Server error classification", () => {
  it.each([
    [serverError(1205, "Transaction (Process ID 57) was deadlocked on lock resources with another process"), "1205", true],
    [serverError(1222, "Lock request time out period exceeded."), "1222", true],
    [serverError(3960, "Snapshot isolation transaction aborted due to update conflict."), "3960", true],
    [serverError(40613, "Database 'db' on server 'srv' is not currently available."), "40613", true],
    [serverError(40501, "The service is currently busy."), "40501", true],
    [serverError(2627, "Violation of PRIMARY KEY constraint 'PK_t'."), "2627", false],
    [serverError(102, "Incorrect syntax near 'SELEC'."), "102", false],
    [serverError(245, "Conversion failed when converting the nvarchar value to data type int."), "245", false],
    [serverError(18456, "Login failed for user 'sa'."), "18456", false],
    [connectionError("ESOCKET", "Connection lost - read ECONNRESET"), "ESOCKET", true],
    [connectionError("ETIMEOUT", "Failed to connect to db:1433 in 15000ms"), "ETIMEOUT", true],
    [connectionError("ELOGIN", "Login failed."), "ELOGIN", false],
    [new mssql.ConnectionError("Connection is closed.", "ECONNCLOSED"), "ECONNCLOSED", true],
    [new mssql.RequestError("Timeout: Request failed to complete in 15000ms", "ETIMEOUT"), "ETIMEOUT", true],
    [new mssql.RequestError("Connection closed before request completed.", "ECLOSE" as mssql.MSSQL_ERROR_CODE), "ECLOSE", true],
    [new mssql.RequestError("Canceled.", "ECANCEL"), "ECANCEL", false],
    [new mssql.TransactionError("Transaction has been aborted.", "EABORT"), "EABORT", false],
    [Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }), "ECONNRESET", true],
  ])("%s → %s, transient %s", (error, driverCode, transient) => {
    expect(classifyMssqlError(error)).toEqual({ driverCode, transient });
    expect(mssqlPlugin.classifyError(error)).toEqual({ driverCode, transient });
  });

  it("finds a deadlock among the errors that preceded the last one", () => {
    const last = serverError(3621, "The statement has been terminated.");
    Object.assign(last, { precedingErrors: [serverError(1205, "deadlocked")] });
    expect(classifyMssqlError(last)).toEqual({ driverCode: "3621", transient: true });
  });

  it("finds a lost socket behind mssql's wrapper", () => {
    const wrapped = new mssql.RequestError(Object.assign(new Error("socket hang up"), { code: "ESOCKET" }), "EREQUEST");
    expect(classifyMssqlError(wrapped)).toEqual({ driverCode: "ESOCKET", transient: true });
  });

  it("says nothing about values that are not errors", () => {
    expect(classifyMssqlError("boom")).toEqual({ driverCode: undefined, transient: false });
    expect(classifyMssqlError(undefined)).toEqual({ driverCode: undefined, transient: false });
  });
});
