import { describe, expect, it } from "vitest";
import type { DialectFacts } from "../src/driver/contract.js";
import { isReadOnlyStatement } from "../src/connector/read-only.js";

const pg: DialectFacts = { placeholderStyle: "dollar", maxBindParameters: 65535, pingSql: "SELECT 1", isolationLevels: [] };
const mysql: DialectFacts = { ...pg, placeholderStyle: "question", backslashEscapes: true, hashComments: true };

describe("isReadOnlyStatement (the leading keyword, with the parameter scanner)", () => {
  it.each([
    "SELECT 1",
    "  select id FROM t WHERE id = :id",
    "/* a comment */ -- another\n SELECT 'DELETE FROM t' AS text",
    'SELECT "update" FROM t;',
    "WITH x AS (SELECT 1 AS n) SELECT n FROM x",
    "VALUES (1), (2)",
    "SHOW search_path",
    "TABLE t",
    "SELECT 1;  ;",
  ])("reads: %s", (sql) => {
    expect(isReadOnlyStatement(sql, pg)).toBe(true);
  });

  it.each([
    "INSERT INTO t VALUES (1)",
    "UPDATE t SET a = 1",
    "WITH gone AS (DELETE FROM t RETURNING *) SELECT * FROM gone",
    "SELECT * INTO copy FROM t",
    "SELECT * FROM t FOR UPDATE",
    "SELECT 1; DELETE FROM t",
    "SELECT 1; SELECT 'x'",
    "CALL p()",
    "EXPLAIN ANALYZE DELETE FROM t",
    "-- only a comment",
  ])("takes the safe path: %s", (sql) => {
    expect(isReadOnlyStatement(sql, pg)).toBe(false);
  });

  it("knows MySQL's # comments and backslash escapes", () => {
    expect(isReadOnlyStatement("# note\nSELECT 'it\\'s; DELETE' AS a", mysql)).toBe(true);
    expect(isReadOnlyStatement("SELECT 1 # DELETE\n", mysql)).toBe(true);
    expect(isReadOnlyStatement("SELECT 1 # x\n; UPDATE t SET a = 1", mysql)).toBe(false);
  });
});
