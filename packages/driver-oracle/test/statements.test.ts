import { describe, expect, it } from "vitest";
import { oracleStatement, statementKind } from "../src/index.js";

describe("Oracle statement text", () => {
  it.each([
    ["SELECT * FROM dual;", "SELECT * FROM dual"],
    ["SELECT * FROM dual ;  \n", "SELECT * FROM dual"],
    ["INSERT INTO t VALUES (1);;", "INSERT INTO t VALUES (1)"],
    ["UPDATE t SET a = ';' WHERE b = 1", "UPDATE t SET a = ';' WHERE b = 1"],
    ["CREATE TABLE t (id NUMBER);", "CREATE TABLE t (id NUMBER)"],
    ["CALL proc(1);", "CALL proc(1)"],
    ["BEGIN NULL; END;", "BEGIN NULL; END;"],
    ["BEGIN NULL; END;\n/\n", "BEGIN NULL; END;"],
    ["declare x number; begin x := 1; end;", "declare x number; begin x := 1; end;"],
    ["-- setup\n/* block */ BEGIN NULL; END;", "-- setup\n/* block */ BEGIN NULL; END;"],
    ["CREATE OR REPLACE PROCEDURE p AS BEGIN NULL; END;", "CREATE OR REPLACE PROCEDURE p AS BEGIN NULL; END;"],
    ["CREATE OR REPLACE EDITIONABLE TRIGGER t BEFORE INSERT ON x BEGIN NULL; END;", "CREATE OR REPLACE EDITIONABLE TRIGGER t BEFORE INSERT ON x BEGIN NULL; END;"],
    ["CREATE PACKAGE BODY pkg AS END pkg;", "CREATE PACKAGE BODY pkg AS END pkg;"],
  ])("%j → %j", (input, output) => {
    expect(oracleStatement(input)).toBe(output);
  });

  it.each([
    ["SELECT 1 FROM dual", "query"],
    ["  with x as (select 1 from dual) select * from x", "query"],
    ["/* hint */ SELECT 1 FROM dual", "query"],
    ["BEGIN NULL; END;", "plsql"],
    ["DECLARE x NUMBER; BEGIN NULL; END;", "plsql"],
    ["CREATE OR REPLACE FUNCTION f RETURN NUMBER AS BEGIN RETURN 1; END;", "plsql"],
    ["CREATE TYPE point AS OBJECT (x NUMBER);", "plsql"],
    ["CREATE TABLE t (id NUMBER)", "other"],
    ["CREATE OR REPLACE VIEW v AS SELECT 1 x FROM dual", "other"],
    ["UPDATE t SET a = 1", "other"],
    ["MERGE INTO t USING s ON (t.id = s.id) WHEN MATCHED THEN UPDATE SET t.a = s.a", "other"],
  ])("%j is %s", (input, kind) => {
    expect(statementKind(input)).toBe(kind);
  });
});
