import { describe, expect, it } from "vitest";
import { classifyPostgresError, SQLSTATE_KINDS } from "../src/errors.js";
import postgresPlugin from "../src/index.js";

/** A server error as pg builds it from an ErrorResponse. */
function pgError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, severity: "ERROR" });
}

describe("PostgreSQL error classification", () => {
  it.each([
    [pgError("23505", 'duplicate key value violates unique constraint "t_pkey"'), "23505", false, "unique_violation"],
    [pgError("23503", 'insert or update on table "c" violates foreign key constraint "c_p_fkey"'), "23503", false, "foreign_key_violation"],
    [pgError("23502", 'null value in column "n" of relation "t" violates not-null constraint'), "23502", false, "not_null_violation"],
    [pgError("23514", 'new row for relation "t" violates check constraint "t_n_check"'), "23514", false, "check_violation"],
    [pgError("40P01", "deadlock detected"), "40P01", true, "deadlock"],
    [pgError("40001", "could not serialize access due to concurrent update"), "40001", true, "serialization_failure"],
    [pgError("55P03", 'canceling statement due to lock timeout'), "55P03", true, "lock_timeout"],
    [pgError("57014", "canceling statement due to statement timeout"), "57014", false, "query_canceled"],
    [pgError("57P01", "terminating connection due to administrator command"), "57P01", true, "connection_lost"],
    [pgError("57P03", "the database system is starting up"), "57P03", true, "connection_lost"],
    [pgError("08006", "connection failure"), "08006", true, "connection_lost"],
    [pgError("42601", 'syntax error at or near "SELEC"'), "42601", false, "sql_syntax"],
    [pgError("42501", "permission denied for table t"), "42501", false, "permission_denied"],
    [pgError("53300", "sorry, too many clients already"), "53300", true, undefined],
    [pgError("42P01", 'relation "nope" does not exist'), "42P01", false, undefined],
    [pgError("22P02", 'invalid input syntax for type integer: "x"'), "22P02", false, undefined],
    [Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }), "ECONNRESET", true, "connection_lost"],
    [Object.assign(new Error("write EPIPE"), { code: "EPIPE" }), "EPIPE", true, "connection_lost"],
    [new Error("Connection terminated unexpectedly"), undefined, true, "connection_lost"],
    [new Error("Client was closed and is not queryable"), undefined, true, "connection_lost"],
  ])("%s → %s, transient %s, kind %s", (error, driverCode, transient, kind) => {
    expect(classifyPostgresError(error)).toStrictEqual({ driverCode, transient, kind });
    expect(postgresPlugin.classifyError(error)).toStrictEqual({ driverCode, transient, kind });
  });

  it("finds the SQLSTATE behind a wrapper's cause", () => {
    const wrapped = Object.assign(new Error("query failed"), { cause: pgError("23505", "duplicate key") });
    expect(classifyPostgresError(wrapped)).toStrictEqual({ driverCode: "23505", transient: false, kind: "unique_violation" });
  });

  it("maps every SQLSTATE in the table to a portable kind, and Object's own keys to none", () => {
    for (const [code, kind] of Object.entries(SQLSTATE_KINDS)) expect(classifyPostgresError(pgError(code, "x")).kind).toBe(kind);
    expect(classifyPostgresError(pgError("toString", "x")).kind).toBeUndefined();
    expect(classifyPostgresError("boom")).toStrictEqual({ driverCode: undefined, transient: false });
  });
});

describe("postgres error classification: driver error shapes", () => {
  it.each([
    [{ code: "23505" }, "23505", false, "unique_violation"],
    [{ code: "42601" }, "42601", false, "sql_syntax"],
    [{ code: "40001" }, "40001", true, "serialization_failure"],
    [{ code: "40P01" }, "40P01", true, "deadlock"],
    [{ code: "55P03" }, "55P03", true, "lock_timeout"],
    [{ code: "57P01" }, "57P01", true, "connection_lost"],
    [{ code: "57P02" }, "57P02", true, "connection_lost"],
    [{ code: "57P03" }, "57P03", true, "connection_lost"],
    [{ code: "08006" }, "08006", true, "connection_lost"],
    [{ code: "08P01" }, "08P01", true, "connection_lost"],
    [Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }), "ECONNREFUSED", true, "connection_lost"],
    [Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }), "ECONNRESET", true, "connection_lost"],
    [Object.assign(new Error("write EPIPE"), { code: "EPIPE" }), "EPIPE", true, "connection_lost"],
    [Object.assign(new Error("timeout"), { code: "ETIMEDOUT" }), "ETIMEDOUT", true, "connection_lost"],
    [new Error("Connection terminated unexpectedly"), undefined, true, "connection_lost"],
    [new Error("Client has encountered a connection error and is not queryable"), undefined, true, "connection_lost"],
    [new Error("something else"), undefined, false, undefined],
    [new Error("wrapped", { cause: { code: "40001" } }), "40001", true, "serialization_failure"],
    ["a string", undefined, false, undefined],
  ])("%s → %s, transient %s, kind %s", (error, driverCode, transient, kind) => {
    expect(classifyPostgresError(error)).toEqual({ driverCode, transient, kind });
  });
});
