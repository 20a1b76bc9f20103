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
    [serverError(1205, "Transaction (Process ID 57) was deadlocked on lock resources with another process"), "1205", true, "deadlock"],
    [serverError(1222, "Lock request time out period exceeded."), "1222", true, "lock_timeout"],
    [serverError(3960, "Snapshot isolation transaction aborted due to update conflict."), "3960", true, "serialization_failure"],
    [serverError(40613, "Database 'db' on server 'srv' is not currently available."), "40613", true, "connection_lost"],
    [serverError(40501, "The service is currently busy."), "40501", true, undefined],
    [serverError(2627, "Violation of PRIMARY KEY constraint 'PK_t'."), "2627", false, "unique_violation"],
    [serverError(102, "Incorrect syntax near 'SELEC'."), "102", false, "sql_syntax"],
    [serverError(2601, "Cannot insert duplicate key row in object 'dbo.t' with unique index 'ux_t'."), "2601", false, "unique_violation"],
    [serverError(547, 'The INSERT statement conflicted with the FOREIGN KEY constraint "FK_c_p".'), "547", false, "foreign_key_violation"],
    [serverError(547, 'The DELETE statement conflicted with the REFERENCE constraint "FK_c_p".'), "547", false, "foreign_key_violation"],
    [serverError(547, 'The INSERT statement conflicted with the CHECK constraint "CK_t_n".'), "547", false, "check_violation"],
    [serverError(515, "Cannot insert the value NULL into column 'n', table 'dbo.t'; column does not allow nulls."), "515", false, "not_null_violation"],
    [serverError(41302, "The current transaction attempted to update a record that has been updated since this transaction started."), "41302", true, "serialization_failure"],
    [serverError(229, "The SELECT permission was denied on the object 't'."), "229", false, "permission_denied"],
    [serverError(156, "Incorrect syntax near the keyword 'FROM'."), "156", false, "sql_syntax"],
    [serverError(245, "Conversion failed when converting the nvarchar value to data type int."), "245", false, undefined],
    [serverError(18456, "Login failed for user 'sa'."), "18456", false, undefined],
    [connectionError("ESOCKET", "Connection lost - read ECONNRESET"), "ESOCKET", true, "connection_lost"],
    [connectionError("ETIMEOUT", "Failed to connect to db:1433 in 15000ms"), "ETIMEOUT", true, "connection_lost"],
    [connectionError("ELOGIN", "Login failed."), "ELOGIN", false, undefined],
    [new mssql.ConnectionError("Connection is closed.", "ECONNCLOSED"), "ECONNCLOSED", true, "connection_lost"],
    [new mssql.RequestError("Timeout: Request failed to complete in 15000ms", "ETIMEOUT"), "ETIMEOUT", true, "query_canceled"],
    [new mssql.RequestError("Connection closed before request completed.", "ECLOSE" as mssql.MSSQL_ERROR_CODE), "ECLOSE", true, "connection_lost"],
    [new mssql.RequestError("Canceled.", "ECANCEL"), "ECANCEL", false, "query_canceled"],
    [new mssql.TransactionError("Transaction has been aborted.", "EABORT"), "EABORT", false, undefined],
    [Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }), "ECONNRESET", true, "connection_lost"],
  ])("%s → %s, transient %s, kind %s", (error, driverCode, transient, kind) => {
    expect(classifyMssqlError(error)).toStrictEqual({ driverCode, transient, kind });
    expect(mssqlPlugin.classifyError(error)).toStrictEqual({ driverCode, transient, kind });
  });

  it("finds a deadlock among the errors that preceded the last one", () => {
    const last = serverError(3621, "The statement has been terminated.");
    Object.assign(last, { precedingErrors: [serverError(1205, "deadlocked")] });
    expect(classifyMssqlError(last)).toEqual({ driverCode: "3621", transient: true, kind: "deadlock" });
  });

  it("finds a lost socket behind mssql's wrapper", () => {
    const wrapped = new mssql.RequestError(Object.assign(new Error("socket hang up"), { code: "ESOCKET" }), "EREQUEST");
    expect(classifyMssqlError(wrapped)).toEqual({ driverCode: "ESOCKET", transient: true, kind: "connection_lost" });
  });

  it("says nothing about values that are not errors", () => {
    expect(classifyMssqlError("boom")).toEqual({ driverCode: undefined, transient: false });
    expect(classifyMssqlError(undefined)).toEqual({ driverCode: undefined, transient: false });
  });
});
