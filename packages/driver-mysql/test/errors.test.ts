import { describe, expect, it } from "vitest";
import { classifyMysqlError, ERRNO_KINDS } from "../src/errors.js";
import mysqlPlugin from "../src/index.js";

/** A server error as mysql2 builds it: errno, the ER_ code and the SQLSTATE. */
function serverError(errno: number, code: string, message: string): Error {
  return Object.assign(new Error(message), { errno, code, sqlState: "HY000", fatal: false });
}

describe("MySQL / MariaDB error classification", () => {
  it.each([
    [serverError(1062, "ER_DUP_ENTRY", "Duplicate entry '1' for key 'PRIMARY'"), "1062", false, "unique_violation"],
    [serverError(1452, "ER_NO_REFERENCED_ROW_2", "Cannot add or update a child row: a foreign key constraint fails"), "1452", false, "foreign_key_violation"],
    [serverError(1451, "ER_ROW_IS_REFERENCED_2", "Cannot delete or update a parent row: a foreign key constraint fails"), "1451", false, "foreign_key_violation"],
    [serverError(1048, "ER_BAD_NULL_ERROR", "Column 'n' cannot be null"), "1048", false, "not_null_violation"],
    [serverError(1364, "ER_NO_DEFAULT_FOR_FIELD", "Field 'n' doesn't have a default value"), "1364", false, "not_null_violation"],
    [serverError(4025, "ER_CONSTRAINT_FAILED", "CONSTRAINT `t_n` failed for `test`.`t`"), "4025", false, "check_violation"],
    [serverError(3819, "ER_CHECK_CONSTRAINT_VIOLATED", "Check constraint 't_chk_1' is violated."), "3819", false, "check_violation"],
    [serverError(1213, "ER_LOCK_DEADLOCK", "Deadlock found when trying to get lock; try restarting transaction"), "1213", true, "deadlock"],
    [serverError(1020, "ER_CHECKREAD", "Record has changed since last read in table 't'"), "1020", true, "serialization_failure"],
    [serverError(1205, "ER_LOCK_WAIT_TIMEOUT", "Lock wait timeout exceeded; try restarting transaction"), "1205", true, "lock_timeout"],
    [serverError(1969, "ER_STATEMENT_TIMEOUT", "Query execution was interrupted (max_statement_time exceeded)"), "1969", false, "query_canceled"],
    [serverError(3024, "ER_QUERY_TIMEOUT", "Query execution was interrupted, maximum statement execution time exceeded"), "3024", false, "query_canceled"],
    [serverError(1317, "ER_QUERY_INTERRUPTED", "Query execution was interrupted"), "1317", false, "query_canceled"],
    [serverError(1927, "ER_CONNECTION_KILLED", "Connection was killed"), "1927", true, "connection_lost"],
    [serverError(1064, "ER_PARSE_ERROR", "You have an error in your SQL syntax"), "1064", false, "sql_syntax"],
    [serverError(1142, "ER_TABLEACCESS_DENIED_ERROR", "SELECT command denied to user 'u'@'localhost' for table 't'"), "1142", false, "permission_denied"],
    [serverError(1044, "ER_DBACCESS_DENIED_ERROR", "Access denied for user 'u'@'%' to database 'd'"), "1044", false, "permission_denied"],
    [serverError(1146, "ER_NO_SUCH_TABLE", "Table 'test.nope' doesn't exist"), "1146", false, undefined],
    [serverError(1040, "ER_CON_COUNT_ERROR", "Too many connections"), "1040", true, undefined],
    [Object.assign(new Error("Connection lost: The server closed the connection."), { code: "PROTOCOL_CONNECTION_LOST", fatal: true }), "PROTOCOL_CONNECTION_LOST", true, "connection_lost"],
    [Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET", errno: -104 }), "ECONNRESET", true, "connection_lost"],
    [Object.assign(new Error("Pool acquire timeout"), { code: "POOL_ACQUIRE_TIMEOUT" }), "POOL_ACQUIRE_TIMEOUT", true, undefined],
    [Object.assign(new Error("Bind parameters must not contain undefined"), { code: "ER_BAD_PARAMS" }), "ER_BAD_PARAMS", false, undefined],
  ])("%s → %s, transient %s, kind %s", (error, driverCode, transient, kind) => {
    expect(classifyMysqlError(error)).toStrictEqual({ driverCode, transient, kind });
    expect(mysqlPlugin.classifyError(error)).toStrictEqual({ driverCode, transient, kind });
  });

  it("maps every errno in the table, and a fatal error without a code is a lost connection", () => {
    for (const [errno, kind] of ERRNO_KINDS) expect(classifyMysqlError({ errno, code: "ER_X" }).kind).toBe(kind);
    expect(classifyMysqlError({ fatal: true })).toStrictEqual({ driverCode: undefined, transient: true, kind: "connection_lost" });
    expect(classifyMysqlError({ cause: serverError(1062, "ER_DUP_ENTRY", "dup") }).kind).toBe("unique_violation");
    expect(classifyMysqlError("boom")).toStrictEqual({ driverCode: undefined, transient: false });
  });
});

describe("mysql error classification: driver error shapes", () => {
  const serverError = (errno: number, code: string) => Object.assign(new Error(code), { errno, code, sqlState: "HY000" });
  it.each([
    [serverError(1062, "ER_DUP_ENTRY"), "1062", false, "unique_violation"],
    [serverError(1064, "ER_PARSE_ERROR"), "1064", false, "sql_syntax"],
    [serverError(1045, "ER_ACCESS_DENIED_ERROR"), "1045", false, undefined],
    [serverError(1213, "ER_LOCK_DEADLOCK"), "1213", true, "deadlock"],
    [serverError(1205, "ER_LOCK_WAIT_TIMEOUT"), "1205", true, "lock_timeout"],
    [serverError(1927, "ER_CONNECTION_KILLED"), "1927", true, "connection_lost"],
    [serverError(1040, "ER_CON_COUNT_ERROR"), "1040", true, undefined],
    [Object.assign(new Error("lost"), { code: "PROTOCOL_CONNECTION_LOST", fatal: true }), "PROTOCOL_CONNECTION_LOST", true, "connection_lost"],
    [Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET", errno: -104 }), "ECONNRESET", true, "connection_lost"],
    [Object.assign(new Error("write EPIPE"), { code: "EPIPE", errno: -32 }), "EPIPE", true, "connection_lost"],
    [Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED", errno: -111 }), "ECONNREFUSED", true, "connection_lost"],
    [Object.assign(new Error("connect ETIMEDOUT"), { code: "ETIMEDOUT" }), "ETIMEDOUT", true, "connection_lost"],
    [Object.assign(new Error("timed out"), { code: "POOL_ACQUIRE_TIMEOUT" }), "POOL_ACQUIRE_TIMEOUT", true, undefined],
    [Object.assign(new Error("Can't add new command when connection is in closed state"), { fatal: true }), undefined, true, "connection_lost"],
    [Object.assign(new Error("Bind parameters must not contain undefined"), { code: "ER_BAD_PARAMS" }), "ER_BAD_PARAMS", false, undefined],
    [new Error("something else"), undefined, false, undefined],
    [new Error("wrapped", { cause: serverError(1213, "ER_LOCK_DEADLOCK") }), "1213", true, "deadlock"],
    ["a string", undefined, false, undefined],
  ])("%s → %s, transient %s, kind %s", (error, driverCode, transient, kind) => {
    expect(classifyMysqlError(error)).toEqual({ driverCode, transient, kind });
  });
});
