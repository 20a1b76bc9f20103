import { describe, expect, it } from "vitest";
import { InvalidParametersError, MissingParametersError, isSqlBlocksError } from "../src/errors.js";
import {
  bindParameters,
  compileNamed,
  compileSql,
  type PlaceholderStyle,
  planInsertBatch,
} from "../src/params/index.js";

const STYLES: readonly PlaceholderStyle[] = ["dollar", "question", "at-p", "colon-number"];

describe("compileSql placeholders per style", () => {
  const sql = "select * from t where a = :a and b = :b or c = :a";

  it("dollar reuses a number for a repeated name", () => {
    expect(compileSql(sql, "dollar")).toEqual({
      sql: "select * from t where a = $1 and b = $2 or c = $1",
      order: ["a", "b"],
      names: ["a", "b"],
    });
  });

  it("question binds a repeated name twice", () => {
    expect(compileSql(sql, "question")).toEqual({
      sql: "select * from t where a = ? and b = ? or c = ?",
      order: ["a", "b", "a"],
      names: ["a", "b"],
    });
  });

  it("at-p reuses @pN for a repeated name", () => {
    expect(compileSql(sql, "at-p")).toEqual({
      sql: "select * from t where a = @p0 and b = @p1 or c = @p0",
      order: ["a", "b"],
      names: ["a", "b"],
    });
  });

  it("colon-number numbers every occurrence", () => {
    expect(compileSql(sql, "colon-number")).toEqual({
      sql: "select * from t where a = :1 and b = :2 or c = :3",
      order: ["a", "b", "a"],
      names: ["a", "b"],
    });
  });

  it("binds values in placeholder order for every style", () => {
    const params = { a: 1, b: "two", unused: 3 };
    expect(compileNamed(sql, params, "dollar").values).toEqual([1, "two"]);
    expect(compileNamed(sql, params, "question").values).toEqual([1, "two", 1]);
    expect(compileNamed(sql, params, "at-p").values).toEqual([1, "two"]);
    expect(compileNamed(sql, params, "colon-number").values).toEqual([1, "two", 1]);
  });

  it("accepts names with underscores and digits, and is case-sensitive", () => {
    expect(compileSql("select :_x1, :Ab, :ab", "dollar")).toMatchObject({
      sql: "select $1, $2, $3",
      names: ["_x1", "Ab", "ab"],
    });
  });

  it("handles parameters at the very start and end and inside parentheses", () => {
    expect(compileSql(":a", "question").sql).toBe("?");
    expect(compileSql("in(:a,:b)", "at-p").sql).toBe("in(@p0,@p1)");
    expect(compileSql("x=:a;", "dollar").sql).toBe("x=$1;");
  });
});

describe("block comments nest only where the database nests them", () => {
  it("PostgreSQL and SQL Server: /* /* */ */ is one comment", () => {
    for (const style of ["dollar", "at-p"] as const) {
      expect(compileSql("select /* outer /* :a */ :b */ :real", style).names).toEqual(["real"]);
    }
  });
  it("MySQL, SQLite, Oracle: the first */ ends the comment", () => {
    for (const style of ["question", "colon-number"] as const) {
      expect(compileSql("select /* a /* b */ :x", style).names).toEqual(["x"]);
    }
  });
});

describe("Oracle alternative quoting", () => {
  it.each([
    ["q'[it's :x]'", "q'[it's :x]'"],
    ["Q'{ :x }'", "Q'{ :x }'"],
    ["nq'< :x >'", "nq'< :x >'"],
    ["q'!a ' :x!'", "q'!a ' :x!'"],
    ["q'(nested (:x))'", "q'(nested (:x))'"],
  ])("%s is a literal for colon-number", (literal, expected) => {
    const compiled = compileSql(`SELECT ${literal} FROM dual WHERE a = :a`, "colon-number");
    expect(compiled.sql).toBe(`SELECT ${expected} FROM dual WHERE a = :1`);
    expect(compiled.names).toEqual(["a"]);
  });
  it("is not recognised where a q is part of a word, nor for other styles by default", () => {
    expect(compileSql("SELECT seq'x' , :a", "colon-number").names).toEqual(["a"]);
    // For MySQL/SQLite `'[it'` is an ordinary string, so :x is code and `' , :a` a string.
    expect(compileSql("SELECT q'[it's :x]' , :a", "question").names).toEqual(["x"]);
    expect(compileSql("SELECT q'[it's :x]' , :a", "colon-number").names).toEqual(["a"]);
  });
});

describe("compileSql never rewrites inside literals, identifiers or comments", () => {
  const cases: readonly [string, string][] = [
    ["single-quoted string", "select ':a' , 'it''s :b'"],
    ["double-quoted identifier", 'select ":a" , "x"":b"'],
    ["backtick identifier", "select `:a` , `x``:b`"],
    ["dollar-quoted string", "select $$ :a $$ , $fn$ ' :b $$ $fn$"],
    ["line comment", "select 1 -- :a\n"],
    ["block comment", "select /* :a */ 1"],
    ["E string with backslash escape", "select E'\\' :a'"],
  ];
  for (const style of STYLES) {
    for (const [label, sql] of cases) {
      it(`${label} (${style})`, () => {
        const compiled = compileSql(`${sql} :real`, style);
        expect(compiled.sql.startsWith(sql)).toBe(true);
        expect(compiled.names).toEqual(["real"]);
      });
    }
  }

  it("bracket identifiers are quoted for SQL Server and SQLite styles", () => {
    expect(compileSql("select [:a], [x]]:b] from t where c = :c", "at-p")).toMatchObject({
      sql: "select [:a], [x]]:b] from t where c = @p0",
      names: ["c"],
    });
    expect(compileSql("select [:a] where c = :c", "question").sql).toBe("select [:a] where c = ?");
  });

  it("brackets are array syntax for PostgreSQL, so ARRAY[:a, :b] binds", () => {
    expect(compileSql("select ARRAY[:a, :b], arr[:i]", "dollar").sql).toBe("select ARRAY[$1, $2], arr[$3]");
    expect(compileSql("select [:a]", "dollar", { bracketIdentifiers: true }).sql).toBe("select [:a]");
  });

  it("an unterminated string or comment swallows the rest rather than rewriting it", () => {
    expect(compileSql("select ':a", "dollar").sql).toBe("select ':a");
    expect(compileSql("select /* :a", "dollar").sql).toBe("select /* :a");
    expect(compileSql("select 1 -- :a", "dollar").sql).toBe("select 1 -- :a");
  });

  it("a line comment ends at the newline", () => {
    expect(compileSql("select 1 -- c\n, :a", "question").sql).toBe("select 1 -- c\n, ?");
  });
});

describe("backslash escapes", () => {
  const sql = "select 'a\\' , :x , ' :y '";

  it("are off by default, as in SQLite and standard SQL", () => {
    // Without escapes the string ends after the backslash, so :x is code.
    expect(compileSql(sql, "question")).toMatchObject({ sql: "select 'a\\' , ? , ' :y '", order: ["x"] });
  });

  it("keep a backslash-escaped quote inside the string for MySQL", () => {
    expect(compileSql(sql, "question", { backslashEscapes: true })).toMatchObject({
      sql: "select 'a\\' , :x , ' ? '",
      order: ["y"],
    });
  });

  it("apply to MySQL double-quoted strings too", () => {
    const compiled = compileSql('select "a\\" :x" , :y', "question", { backslashEscapes: true });
    expect(compiled.order).toEqual(["y"]);
  });

  it("always apply to PostgreSQL E'' strings, and not to a word ending in e", () => {
    expect(compileSql("select e'\\' :x' , :y", "dollar").order).toEqual(["y"]);
    expect(compileSql("select date'\\' :x", "dollar").order).toEqual(["x"]);
  });

  it("a doubled backslash does not escape the quote", () => {
    expect(compileSql("select 'a\\\\' , :y", "question", { backslashEscapes: true }).order).toEqual(["y"]);
  });
});

describe("hash comments", () => {
  it("are comments only when asked for (MySQL)", () => {
    expect(compileSql("select 1 # :a\n, :b", "question", { hashComments: true }).order).toEqual(["b"]);
    expect(compileSql("select a # :a", "dollar").order).toEqual(["a"]);
  });
});

describe("colons that are not parameters", () => {
  for (const style of STYLES) {
    it(`:: casts (${style})`, () => {
      const compiled = compileSql("select a::int, :x::text, '1'::date", style);
      expect(compiled.names).toEqual(["x"]);
      expect(compiled.sql).toMatch(/^select a::int, \S+::text, '1'::date$/);
    });

    it(`\\: is a literal colon (${style})`, () => {
      expect(compileSql("select '{}'::jsonb \\:name, \\:x, :y", style)).toMatchObject({
        sql: expect.stringMatching(/^select '\{\}'::jsonb :name, :x, \S+$/),
        names: ["y"],
      });
    });

    it(`:= and :1 are left alone (${style})`, () => {
      const compiled = compileSql("set @a := 1; select x[1:2], :1", style);
      expect(compiled.sql).toBe("set @a := 1; select x[1:2], :1");
      expect(compiled.order).toEqual([]);
    });
  }

  it("a colon after an identifier character is an array slice, not a parameter", () => {
    expect(compileSql("select arr[lo:hi], arr[:lo:hi]", "dollar")).toMatchObject({
      sql: "select arr[lo:hi], arr[$1:hi]",
      names: ["lo"],
    });
  });

  it("a lone colon or a colon before a space stays", () => {
    expect(compileSql("select ':' , a : b, :", "question").sql).toBe("select ':' , a : b, :");
  });
});

describe("dollar quotes vs positional parameters", () => {
  it("$1 is not a dollar-quote tag", () => {
    expect(compileSql("select $1, :a, $2, $$", "question")).toMatchObject({ sql: "select $1, ?, $2, $$", order: ["a"] });
  });

  it("$ inside an identifier does not open a dollar quote", () => {
    expect(compileSql("select a$b$ , :x, c$b$", "dollar").names).toEqual(["x"]);
  });

  it("the closing tag must match the opening tag", () => {
    const compiled = compileSql("select $a$ $b$ :x $b$ $a$, :y", "dollar");
    expect(compiled.sql).toBe("select $a$ $b$ :x $b$ $a$, $1");
  });

  it("an unterminated $tag$ is ordinary text", () => {
    expect(compileSql("select $x$ :y", "question").order).toEqual(["y"]);
  });
});

describe("SQL without named parameters", () => {
  it("compiles to itself", () => {
    for (const style of STYLES) {
      const sql = "select 'a', \"b\" from t where x = $1 -- c";
      expect(compileSql(sql, style)).toEqual({ sql, order: [], names: [] });
    }
  });

  it("binds no values whatever params are", () => {
    const compiled = compileSql("select 1", "dollar");
    expect(bindParameters(compiled, undefined)).toEqual([]);
    expect(bindParameters(compiled, { a: 1 })).toEqual([]);
  });

  it("is memoised, returning the same frozen object", () => {
    const first = compileSql("select :memo", "dollar");
    expect(compileSql("select :memo", "dollar")).toBe(first);
    expect(compileSql("select :memo", "question")).not.toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.order)).toBe(true);
  });

  it("keeps working after the cache is full", () => {
    for (let i = 0; i < 1200; i++) {
      expect(compileSql(`select :p${i}`, "at-p").names).toEqual([`p${i}`]);
    }
  });
});

describe("bindParameters errors", () => {
  const compiled = compileSql("insert into t values (:a, :b, :c, :a)", "dollar");

  it("lists every missing name, in first-use order", () => {
    let error: unknown;
    try {
      bindParameters(compiled, { b: 1 });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MissingParametersError);
    expect(isSqlBlocksError(error)).toBe(true);
    expect((error as MissingParametersError).missing).toEqual(["a", "c"]);
    expect((error as Error).message).toBe("missing values for parameters :a, :c");
    expect((error as MissingParametersError).code).toBe("SQLBLOCKS_MISSING_PARAMETERS");
  });

  it("names the single missing parameter", () => {
    expect(() => compileNamed("select :id", {}, "question")).toThrow("missing value for parameter :id");
  });

  it("treats undefined as missing and null as a value", () => {
    expect(() => bindParameters(compiled, { a: undefined, b: null, c: 0 })).toThrow(MissingParametersError);
    expect(bindParameters(compiled, { a: null, b: false, c: 0 })).toEqual([null, false, 0]);
  });

  it("reports all names missing when params are absent", () => {
    expect(() => bindParameters(compiled, undefined)).toThrow("missing values for parameters :a, :b, :c");
    expect(() => bindParameters(compiled, null as never)).toThrow(MissingParametersError);
  });

  it("ignores extra keys", () => {
    expect(bindParameters(compiled, { a: 1, b: 2, c: 3, d: 4 })).toEqual([1, 2, 3]);
  });

  it("does not read inherited properties", () => {
    const toStringSql = compileSql("select :constructor, :toString", "question");
    expect(() => bindParameters(toStringSql, {})).toThrow("missing values for parameters :constructor, :toString");
    expect(bindParameters(toStringSql, { constructor: 1, toString: 2 })).toEqual([1, 2]);
  });

  it("accepts an object without prototype", () => {
    const params = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1, b: 2, c: 3 });
    expect(bindParameters(compiled, params)).toEqual([1, 2, 3]);
  });

  const invalid: readonly [string, unknown, RegExp][] = [
    ["an array", [1, 2, 3], /not an array/],
    ["a Date", new Date(0), /not a Date/],
    ["a Map", new Map([["a", 1]]), /not a Map/],
    ["a string", "a", /not a string/],
    ["a number", 1, /not a number/],
    ["a class instance", new (class Row { a = 1; b = 2; c = 3 })(), /not a Row/],
  ];
  for (const [label, params, message] of invalid) {
    it(`rejects ${label} with InvalidParametersError`, () => {
      expect(() => bindParameters(compiled, params as never)).toThrow(InvalidParametersError);
      expect(() => bindParameters(compiled, params as never)).toThrow(message);
      expect(() => bindParameters(compiled, params as never)).toThrow(/uses :a, :b, :c, so pass an object/);
    });
  }
});

describe("planInsertBatch", () => {
  it("numbers placeholders through all rows (dollar)", () => {
    const template = planInsertBatch("INSERT INTO t (a, b) VALUES (:a, :b);", "dollar");
    expect(template?.compile(3)).toEqual({
      sql: "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4), ($5, $6)",
      order: ["a", "b", "a", "b", "a", "b"],
      names: ["a", "b"],
    });
  });

  it("reuses a repeated name within a row but not across rows (dollar, at-p)", () => {
    const dollar = planInsertBatch("insert into t values (:a, :b, :a)", "dollar");
    expect(dollar?.compile(2)).toMatchObject({
      sql: "insert into t values ($1, $2, $1), ($3, $4, $3)",
      order: ["a", "b", "a", "b"],
    });
    const atP = planInsertBatch("insert into t values (:a, :b, :a)", "at-p");
    expect(atP?.compile(2)).toMatchObject({
      sql: "insert into t values (@p0, @p1, @p0), (@p2, @p3, @p2)",
      order: ["a", "b", "a", "b"],
    });
  });

  it("repeats ? and binds each occurrence (question)", () => {
    const template = planInsertBatch("insert into t values (:a, :b, :a)", "question");
    expect(template?.compile(2)).toMatchObject({
      sql: "insert into t values (?, ?, ?), (?, ?, ?)",
      order: ["a", "b", "a", "a", "b", "a"],
    });
  });

  it("numbers every occurrence through all rows (colon-number)", () => {
    const template = planInsertBatch("insert into t values (:a, :b, :a)", "colon-number");
    expect(template?.compile(2)).toMatchObject({
      sql: "insert into t values (:1, :2, :3), (:4, :5, :6)",
      order: ["a", "b", "a", "a", "b", "a"],
    });
  });

  it("gives values as the rows' values concatenated", () => {
    const template = planInsertBatch("insert into t (a, b) values (:a, :b)", "question")!;
    const rows = [
      { a: 1, b: 2 },
      { a: 3, b: 4 },
    ];
    const row = template.compile(1);
    expect(rows.flatMap((params) => bindParameters(row, params))).toEqual([1, 2, 3, 4]);
    expect(template.compile(rows.length).order).toEqual(["a", "b", "a", "b"]);
  });

  it("keeps functions, casts, literals and nested parentheses inside the tuple", () => {
    const template = planInsertBatch(
      "insert into t (a, b, c) values (lower(:a), :b::jsonb, coalesce(:c, 'x:y'))",
      "dollar",
    );
    expect(template?.compile(2).sql).toBe(
      "insert into t (a, b, c) values (lower($1), $2::jsonb, coalesce($3, 'x:y')), (lower($4), $5::jsonb, coalesce($6, 'x:y'))",
    );
  });

  it("accepts any case, whitespace, comments, quoted and schema-qualified names", () => {
    const sqls = [
      'Insert\n  Into\t"my schema"."a b"\n(\n"x" ,\ny\n)\nvalues\n(\n:x , :y\n)\n;\n',
      "insert into `db`.`t` (`x`, `y`) values (:x, :y) -- trailing\n",
      "insert into [dbo].[t t] ([x], [y]) values (:x, :y); /* done */ ;",
      "/* lead */ INSERT /* c */ INTO s . t VALUES(:x,:y)",
      "insert into #tmp values (:x, :y)",
    ];
    for (const sql of sqls) {
      const style = sql.includes("[") || sql.includes("#") ? "at-p" : "dollar";
      const template = planInsertBatch(sql, style);
      expect(template, sql).toBeDefined();
      const compiled = template!.compile(2);
      expect(compiled.order).toEqual(["x", "y", "x", "y"]);
      expect(compiled.sql).not.toMatch(/;|trailing|done/);
    }
  });

  it("drops the trailing semicolon", () => {
    const template = planInsertBatch("insert into t values (:a);  ", "question");
    expect(template?.compile(2).sql).toBe("insert into t values (?), (?)");
  });

  it("keeps \\: as a literal colon in the output", () => {
    const template = planInsertBatch("insert into t values (:a, 'x', \\:lit)", "question");
    expect(template?.compile(1).sql).toBe("insert into t values (?, 'x', :lit)");
  });

  const notPlain = [
    "insert into t values (:a) returning id",
    "insert into t values (:a) on conflict do nothing",
    "insert into t values (:a) on duplicate key update a = values(a)",
    "insert into t values (:a), (:b)",
    "insert into t select :a",
    "insert into t (a) select :a from dual",
    "insert into t default values",
    "insert into t values (1, 'x')",
    "insert into t values (:a",
    "insert t values (:a)",
    "insert into t set a = :a",
    "with x as (select 1) insert into t values (:a)",
    "update t set a = :a",
    "select :a",
    "insert into t (a) output inserted.id values (:a)",
    "insert into 'not a name' values (:a)",
    "insert into t (a + 1) values (:a)",
    "insert into t values (:a); select 1",
    "insert into t values (:a) /* c */ x",
    "insert into t partition (p0) values (:a)",
    "",
  ];
  for (const sql of notPlain) {
    it(`returns undefined for ${JSON.stringify(sql)}`, () => {
      for (const style of STYLES) expect(planInsertBatch(sql, style)).toBeUndefined();
    });
  }

  it("ignores keywords inside strings and comments when checking what follows", () => {
    expect(planInsertBatch("insert into t values (:a, 'returning') -- returning", "dollar")).toBeDefined();
  });

  it("computes rows per statement from the bind limit", () => {
    const template = planInsertBatch("insert into t values (:a, :b, :c)", "dollar")!;
    expect(template.rowsPerStatement(65535)).toBe(21845);
    expect(template.rowsPerStatement(65535, 1000)).toBe(1000);
    expect(template.rowsPerStatement(2)).toBe(1);
    expect(template.rowsPerStatement(Number.POSITIVE_INFINITY, 50)).toBe(50);
    expect(template.rowsPerStatement(Number.POSITIVE_INFINITY)).toBe(1000);
    expect(() => template.rowsPerStatement(0)).toThrow(RangeError);
  });

  it("counts each occurrence toward the limit where each is bound", () => {
    const sql = "insert into t values (:a, :a)";
    expect(planInsertBatch(sql, "dollar")!.rowsPerStatement(10)).toBe(10);
    expect(planInsertBatch(sql, "question")!.rowsPerStatement(10)).toBe(5);
  });

  it("memoises templates and compiled batches", () => {
    const template = planInsertBatch("insert into memo values (:a)", "dollar")!;
    expect(planInsertBatch("insert into memo values (:a)", "dollar")).toBe(template);
    expect(template.compile(5)).toBe(template.compile(5));
    expect(() => template.compile(0)).toThrow(RangeError);
    expect(() => template.compile(1.5)).toThrow(RangeError);
  });

  it("respects the dialect options", () => {
    const sql = "insert into t values (:a, 'x\\'), (')";
    expect(planInsertBatch(sql, "question", { backslashEscapes: true })?.compile(2).sql).toBe(
      "insert into t values (?, 'x\\'), ('), (?, 'x\\'), (')",
    );
    // Without escapes the string ends at \', and a second tuple follows.
    expect(planInsertBatch(sql, "question")).toBeUndefined();
  });
});
