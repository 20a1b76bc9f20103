import { describe, expect, it } from "vitest";
import { Redactor } from "../src/connector/redact.js";
import { wrapDatabaseError } from "../src/connector/wrap-error.js";
import { DatabaseError } from "../src/errors.js";

describe("wrapDatabaseError", () => {
  it("treats TypeORM's QueryRunnerAlreadyReleasedError as a lost connection: transient", () => {
    // TypeORM releases a runner itself when its connection errors (a killed backend), and the
    // next statement, e.g. COMMIT, then fails with this error.
    const released = Object.assign(new Error("Query runner already released. Cannot run queries anymore."), {
      name: "QueryRunnerAlreadyReleasedError",
    });
    const wrapped = wrapDatabaseError(released, undefined, new Redactor([]), "COMMIT");
    expect(wrapped).toBeInstanceOf(DatabaseError);
    expect(wrapped.transient).toBe(true);
    expect(wrapped.code).toBe("SQLBLOCKS_DATABASE_TRANSIENT");
  });

  it("leaves other errors to the driver's classification (none here: not transient)", () => {
    const wrapped = wrapDatabaseError(new Error("syntax error"), undefined, new Redactor([]), "SELEC 1");
    expect(wrapped.transient).toBe(false);
    expect(wrapped.message).toContain("while running: SELEC 1");
  });
});
