import { compileNamed, compileSql, MissingParametersError, SqlConnector } from "@sqlblocks/core";
import { describe, expect, it } from "vitest";
import { recordingConnector } from "@sqlblocks/testkit";
import mssqlPlugin, { MAX_BIND_PARAMETERS, MAX_ROWS_PER_INSERT } from "../src/index.js";

/** How the driver itself would refuse a statement (a unique-key violation). */
const rejection = () => Object.assign(new Error("rejected by the recorder"), { number: 2627 });

const style = mssqlPlugin.placeholderStyle;
const sql = (text: string) => compileSql(text, style).sql;

describe("named parameters compiled for SQL Server (@p0, @p1, …)", () => {
  it("uses the at-p style", () => {
    expect(style).toBe("at-p");
  });

  it("numbers names in order of first use", () => {
    expect(sql("SELECT * FROM t WHERE a = :a AND b = :b")).toBe("SELECT * FROM t WHERE a = @p0 AND b = @p1");
  });

  it("binds a name used twice once, as the same @pN", () => {
    const compiled = compileNamed("SELECT :a, :b, :a WHERE x > :a", { a: 1, b: "two" }, style);
    expect(compiled).toEqual({ sql: "SELECT @p0, @p1, @p0 WHERE x > @p0", values: [1, "two"] });
  });

  it("leaves string literals alone, N'' strings and doubled quotes included", () => {
    expect(sql("SELECT ':a', N'it''s :b', :c")).toBe("SELECT ':a', N'it''s :b', @p0");
  });

  it("leaves quoted and bracketed identifiers alone", () => {
    expect(sql(`SELECT [col:a], "id:b", :c FROM [my:table]`)).toBe(`SELECT [col:a], "id:b", @p0 FROM [my:table]`);
  });

  it("leaves line and (nested) block comments alone", () => {
    expect(sql("SELECT 1 -- :a\n, /* :b /* :x */ :y */ :c")).toBe("SELECT 1 -- :a\n, /* :b /* :x */ :y */ @p0");
  });

  it("does not read :: as a parameter", () => {
    expect(sql("SELECT x::text, :a")).toBe("SELECT x::text, @p0");
  });

  it("turns \\: into a literal colon", () => {
    expect(sql("SELECT x\\:y, :c")).toBe("SELECT x:y, @p0");
  });

  it("does not read a:b or $action as parameters", () => {
    expect(sql("SELECT a:b, :c")).toBe("SELECT a:b, @p0");
    expect(sql("MERGE t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET v = :v OUTPUT $action, inserted.id;")).toBe(
      "MERGE t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET v = @p0 OUTPUT $action, inserted.id;",
    );
  });

  it("lists every missing name before the database is touched", async () => {
    // Port 1 on localhost: if the connector tried to connect, the error would be a DatabaseError.
    const connector = new SqlConnector({ connectionInfo: "mssql+tedious://sa:pw@127.0.0.1:1/db" });
    try {
      const failure = connector.execute("SELECT :a, :b, :c", { b: 1 });
      await expect(failure).rejects.toBeInstanceOf(MissingParametersError);
      await expect(failure).rejects.toThrow(/:a, :c/);
    } finally {
      await connector.close();
    }
  });
});

describe("executeMany batches under SQL Server's limits", () => {
  it("stays under 2,100 parameters per request (sp_executesql takes two) and 1,000 rows per VALUES", () => {
    expect(MAX_BIND_PARAMETERS).toBe(2098);
    expect(mssqlPlugin.maxBindParameters).toBe(MAX_BIND_PARAMETERS);
    expect(mssqlPlugin.maxRowsPerInsert).toBe(MAX_ROWS_PER_INSERT);
    expect(MAX_ROWS_PER_INSERT).toBe(1000);
  });

  it.each([
    [1, 2500, [1000, 1000, 500]],
    [2, 2500, [1000, 1000, 500]],
    [3, 2500, [699, 699, 699, 403]],
    [10, 500, [209, 209, 82]],
    [2098, 2, [1, 1]],
  ])("%i parameters per row, %i rows → INSERTs of %j rows, in one transaction", async (columns, rows, batches) => {
    const names = Array.from({ length: columns }, (_, i) => `c${i}`);
    const { connector, sent, dispose } = recordingConnector(mssqlPlugin, "mssql+tedious://sa:pw@db/app");
    try {
      const sets = Array.from({ length: rows }, (_, r) => Object.fromEntries(names.map((n, c) => [n, r * columns + c])));
      await connector.executeMany(`INSERT INTO t (${names.join(", ")}) VALUES (${names.map((n) => `:${n}`).join(", ")})`, sets);
      expect(sent.map((s) => s.values.length / columns)).toEqual(batches);
      for (const statement of sent) {
        expect(statement.inTransaction).toBe(true);
        expect(statement.values.length).toBeLessThanOrEqual(2098);
      }
      // Values stay in order across batches.
      expect(sent.flatMap((s) => s.values)).toEqual(Array.from({ length: rows * columns }, (_, i) => i));
    } finally {
      await dispose();
    }
  });

  it("numbers placeholders through all rows of a batch", async () => {
    const { connector, sent, dispose } = recordingConnector(mssqlPlugin, "mssql+tedious://sa:pw@db/app");
    try {
      await connector.executeMany("INSERT INTO [dbo].[t] (id, name) VALUES (:id, :name);", [
        { id: 1, name: "a" },
        { id: 2, name: "b" },
        { id: 3, name: "c" },
      ]);
      expect(sent).toEqual([
        { sql: "INSERT INTO [dbo].[t] (id, name) VALUES (@p0, @p1), (@p2, @p3), (@p4, @p5)", values: [1, "a", 2, "b", 3, "c"], inTransaction: true },
      ]);
    } finally {
      await dispose();
    }
  });

  it("sends other statements once per set, and names the failing set", async () => {
    const { connector, sent, dispose } = recordingConnector(mssqlPlugin, "mssql+tedious://sa:pw@db/app", (s) => s.values[0] === 2, rejection);
    try {
      const failure = await connector
        .executeMany("INSERT INTO t (a) OUTPUT inserted.id VALUES (:a) -- :b", [{ a: 1 }, { a: 2 }, { a: 3 }].map((p, i) => ({ ...p, b: i })))
        .catch((error: unknown) => error);
      expect(sent.map((s) => s.sql)).toEqual([
        "INSERT INTO t (a) OUTPUT inserted.id VALUES (@p0) -- :b",
        "INSERT INTO t (a) OUTPUT inserted.id VALUES (@p0) -- :b",
      ]);
      expect(failure).toMatchObject({ index: 1, driverCode: "2627", transient: false });
    } finally {
      await dispose();
    }
  });
});
