import { compileNamed, compileSql, MissingParametersError, SqlConnector } from "@sqlblocks/core";
import { describe, expect, it } from "vitest";
import { recordingConnector } from "@sqlblocks/testkit";
import oraclePlugin, { MAX_BIND_PARAMETERS } from "../src/index.js";

/** How the driver itself would refuse a statement (a unique-key violation). */
const rejection = () => Object.assign(new Error("rejected by the recorder"), { errorNum: 1, code: "ORA-00001" });

const style = oraclePlugin.placeholderStyle;
const sql = (text: string) => compileSql(text, style).sql;

describe("named parameters compiled for Oracle (:1, :2, …)", () => {
  it("uses the colon-number style", () => {
    expect(style).toBe("colon-number");
  });

  it("numbers every occurrence, so positional binds match in SQL", () => {
    expect(compileNamed("SELECT * FROM t WHERE a = :a OR b = :b OR c = :a", { a: 1, b: 2 }, style)).toEqual({
      sql: "SELECT * FROM t WHERE a = :1 OR b = :2 OR c = :3",
      values: [1, 2, 1],
    });
  });

  it("leaves string literals alone, N'' strings and doubled quotes included", () => {
    expect(sql("SELECT ':a', N'it''s :b', :c FROM dual")).toBe("SELECT ':a', N'it''s :b', :1 FROM dual");
  });

  it("leaves quoted identifiers alone", () => {
    expect(sql(`SELECT "col:a", :c FROM "my:table"`)).toBe(`SELECT "col:a", :1 FROM "my:table"`);
  });

  it("leaves comments alone", () => {
    expect(sql("SELECT 1 -- :a\n, /* :b */ :c FROM dual")).toBe("SELECT 1 -- :a\n, /* :b */ :1 FROM dual");
  });

  it("does not read :: or PL/SQL's := as parameters", () => {
    expect(sql("SELECT x::text, :a FROM dual")).toBe("SELECT x::text, :1 FROM dual");
    expect(sql("BEGIN v := :a; END;")).toBe("BEGIN v := :1; END;");
  });

  it("turns \\: into a literal colon, as trigger bodies need for :new and :old", () => {
    expect(sql("CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW BEGIN \\:new.id := 1; END;")).toBe(
      "CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW BEGIN :new.id := 1; END;",
    );
  });

  it("does not read a:b as a parameter", () => {
    expect(sql("SELECT a:b, :c FROM dual")).toBe("SELECT a:b, :1 FROM dual");
  });

  it("leaves q'[…]' literals alone", () => {
    expect(sql("SELECT q'[it's :x]' FROM dual WHERE a = :a")).toBe("SELECT q'[it's :x]' FROM dual WHERE a = :1");
  });

  it("lists every missing name before the database is touched", async () => {
    const connector = new SqlConnector({ connectionInfo: "oracle+oracledb://u:p@127.0.0.1:1/svc" });
    try {
      const failure = connector.execute("SELECT :a, :b, :c FROM dual", { b: 1 });
      await expect(failure).rejects.toBeInstanceOf(MissingParametersError);
      await expect(failure).rejects.toThrow(/:a, :c/);
    } finally {
      await connector.close();
    }
  });
});

describe("executeMany on Oracle", () => {
  it("sends a plain INSERT through executeRepeated: one executeMany round trip (multi-row VALUES is not Oracle syntax before 23ai)", async () => {
    expect(MAX_BIND_PARAMETERS).toBe(65535);
    expect(oraclePlugin.multiRowInsert).toBe(false);
    const { connector, sent, repeated, dispose } = recordingConnector(oraclePlugin, "oracle+oracledb://u:p@db/svc");
    try {
      await connector.executeMany("INSERT INTO t (id, name) VALUES (:id, :name);", [
        { id: 1, name: "a" },
        { id: 2, name: "b" },
        { id: 3, name: "c" },
      ]);
      expect(sent).toEqual([]);
      // The trailing ";" reaches the plug-in, which strips it before oracledb sees it.
      expect(repeated).toEqual([
        [1, 2, 3].map((id) => ({
          sql: "INSERT INTO t (id, name) VALUES (:1, :2);",
          values: [id, String.fromCharCode(96 + id)],
          inTransaction: true,
        })),
      ]);
    } finally {
      await dispose();
    }
  });

  it("hands other statements to executeRepeated in one call, and names the failing set", async () => {
    const { connector, repeated, dispose } = recordingConnector(oraclePlugin, "oracle+oracledb://u:p@db/svc", (s) => s.values[1] === 20, rejection);
    try {
      const failure = await connector
        .executeMany("UPDATE t SET score = :score WHERE id = :id", [
          { id: 10, score: 1 },
          { id: 20, score: 2 },
        ])
        .catch((error: unknown) => error);
      expect(repeated).toEqual([
        [
          { sql: "UPDATE t SET score = :1 WHERE id = :2", values: [1, 10], inTransaction: true },
          { sql: "UPDATE t SET score = :1 WHERE id = :2", values: [2, 20], inTransaction: true },
        ],
      ]);
      expect(failure).toMatchObject({ index: 1 });
    } finally {
      await dispose();
    }
  });
});
