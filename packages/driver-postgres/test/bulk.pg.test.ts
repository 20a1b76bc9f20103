import { type DatabaseError, NotNullViolationError, registerDriver, SqlConnector, UniqueViolationError } from "@sqlblocks/core";
import { uniqueName } from "@sqlblocks/testkit";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { PgConnection } from "../src/connection.js";
import { copyChunk, copyText } from "../src/copy.js";
import postgresPlugin from "../src/index.js";
import { serverGate } from "./server.js";

const url = process.env.SQLBLOCKS_TEST_PG_URL ?? "postgresql+pg://postgres@127.0.0.1:5432/test";
// The number of parameter sets from which a plain INSERT goes through COPY (core's BULK_MIN_SETS).
const BULK = 500;

const COLUMNS = `id int PRIMARY KEY, small smallint, big bigint, amount numeric(30,10), real_v real, double_v double precision,
  flag boolean, label text NOT NULL, code char(3), uid uuid, at_tz timestamptz, at_local timestamp, day date, clock time,
  span interval, doc json, docb jsonb, data bytea, tags text[], nums int[]`;
const INSERT = (table: string) => `INSERT INTO ${table} (id, small, big, amount, real_v, double_v, flag, label, code, uid, at_tz, at_local, day, clock, span, doc, docb, data, tags, nums)
  VALUES (:id, :small, :big, :amount, :real_v, :double_v, :flag, :label, :code, :uid, :at_tz, :at_local, :day, :clock, :span, :doc, :docb, :data, :tags, :nums)`;

/** A row of every bindable type in the README's table, with tricky text (tabs, newlines, backslashes) and NULLs. */
function row(i: number): Record<string, unknown> {
  const odd = i % 2 === 1;
  return {
    id: i,
    small: odd ? -32768 : 32767,
    big: i % 3 === 0 ? 9007199254740993n : i % 3 === 1 ? "-9223372036854775808" : 42,
    amount: odd ? "12345678901234567890.0123456789" : 0.5,
    real_v: odd ? 1.5 : null,
    double_v: odd ? -2.5e-300 : Number.MAX_VALUE,
    flag: i % 3 === 2 ? null : odd,
    label: ["tab\there", "line\nbreak\r\n", "back\\slash \\N", "", "ünïcödé ✓", "\\x00"][i % 6],
    code: odd ? "abc" : null,
    uid: odd ? "0b9d6f1e-4b0b-4b8e-9b8e-0123456789ab" : null,
    at_tz: new Date(Date.UTC(2026, 10, 26, 1, 2, 3, i % 1000)),
    at_local: odd ? new Date(2026, 0, 1, 12, 30, 0, 5) : "2026-02-28 23:59:59.123456",
    day: odd ? "2024-02-29" : new Date(2026, 5, 15),
    clock: "13:14:15.5",
    span: odd ? "1 day 02:03:04" : null,
    doc: odd ? { a: [1, "two", null], tab: "x\ty" } : JSON.stringify([1, 2]),
    docb: { nested: { ok: odd, back: "a\\b" } },
    data: odd ? Buffer.from([0, 9, 10, 13, 92, 255]) : i % 4 === 0 ? new Uint8Array([1, 2, 3]) : null,
    tags: odd ? ["a", "b,c", 'q"uote', "tab\t", null] : [],
    nums: odd ? [1, 2, null] : null,
  };
}

describe("postgres: executeMany through COPY", () => {
  const viaValues = uniqueName("sqlb_bulk_v");
  const viaCopy = uniqueName("sqlb_bulk_c");
  let db: SqlConnector;
  const gate = serverGate("postgres bulk tests", async () => {
    registerDriver(postgresPlugin);
    db = new SqlConnector({ connectionInfo: url });
    await db.execute("SELECT 1");
  });

  beforeAll(async () => {
    for (const table of [viaValues, viaCopy]) await db?.execute(`CREATE TABLE ${table} (${COLUMNS})`);
  });
  afterAll(async () => {
    for (const table of [viaValues, viaCopy]) await db?.execute(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await db?.close();
  });

  it("gives exactly the rows the VALUES path gives, for every type the driver binds", async (context) => {
    gate(context);
    const rows = Array.from({ length: 1_200 }, (_, i) => row(i));
    // Below the bulk threshold each set goes through multi-row VALUES; at or above it, COPY.
    const valuesOnly = vi.spyOn(PgConnection.prototype, "bulkInsert");
    try {
      for (let start = 0; start < rows.length; start += BULK - 1) {
        await db.executeMany(INSERT(viaValues), rows.slice(start, start + BULK - 1));
      }
      expect(valuesOnly).not.toHaveBeenCalled();
    } finally {
      valuesOnly.mockRestore();
    }
    const copies = vi.spyOn(PgConnection.prototype, "bulkInsert");
    try {
      expect((await db.executeMany(INSERT(viaCopy), rows)).rowCount).toBe(1_200);
      expect(copies).toHaveBeenCalledTimes(1);
    } finally {
      copies.mockRestore();
    }
    const { rows: diff } = await db.execute(
      // Whole rows compared as text (json has no equality operator).
      `SELECT (SELECT count(*) FROM (SELECT v::text FROM ${viaValues} v EXCEPT ALL SELECT c::text FROM ${viaCopy} c) a)::int AS missing,
              (SELECT count(*) FROM (SELECT c::text FROM ${viaCopy} c EXCEPT ALL SELECT v::text FROM ${viaValues} v) b)::int AS extra,
              (SELECT count(*) FROM ${viaCopy})::int AS total`,
    );
    expect(diff).toEqual([{ missing: 0, extra: 0, total: 1_200 }]);
    // Spot checks read back through the driver, as a user sees them.
    const { rows: read } = await db.execute<Record<string, unknown>>(`SELECT label, data, tags, docb, big FROM ${viaCopy} WHERE id IN (1, 2) ORDER BY id`);
    expect(read[0]).toEqual({
      label: "line\nbreak\r\n",
      data: Buffer.from([0, 9, 10, 13, 92, 255]),
      tags: ["a", "b,c", 'q"uote', "tab\t", null],
      docb: { nested: { ok: true, back: "a\\b" } },
      big: "-9223372036854775808",
    });
    expect(read[1]).toMatchObject({ label: "back\\slash \\N", data: null, tags: [] });
  });

  it.for([
    ["first", 0],
    ["a middle", 777],
    ["the last", 1_999],
  ] as const)("all or nothing when %s row breaks a constraint, and the error names its index", async ([, bad], context) => {
    gate(context);
    const table = uniqueName("sqlb_bulk_fail");
    await db.execute(`CREATE TABLE ${table} (id int PRIMARY KEY, label text NOT NULL)`);
    try {
      await db.execute(`INSERT INTO ${table} (id, label) VALUES (-1, 'before')`);
      const sets = Array.from({ length: 2_000 }, (_, i) => ({ id: i, label: i === bad ? null : `row ${i}` }));
      const error = await db.executeMany(`INSERT INTO ${table} (id, label) VALUES (:id, :label)`, sets).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotNullViolationError);
      expect((error as DatabaseError).index).toBe(bad);
      expect((error as Error).message).toMatch(new RegExp(`parameter set ${bad}\\b`));
      expect((error as Error).message).not.toContain(`row ${bad + 1}`);
      const { rows } = await db.execute(`SELECT count(*)::int AS n FROM ${table}`);
      expect(rows).toEqual([{ n: 1 }]);

      // A duplicate key is found by the server at a later step of COPY: still the right index.
      const dup = Array.from({ length: 2_000 }, (_, i) => ({ id: i === bad ? -1 : i, label: "x" }));
      const duplicate = await db.executeMany(`INSERT INTO ${table} (id, label) VALUES (:id, :label)`, dup).catch((e: unknown) => e);
      expect(duplicate).toBeInstanceOf(UniqueViolationError);
      expect((duplicate as DatabaseError).index).toBe(bad);
      expect((await db.execute(`SELECT count(*)::int AS n FROM ${table}`)).rows).toEqual([{ n: 1 }]);
    } finally {
      await db.execute(`DROP TABLE IF EXISTS ${table}`);
    }
  });

  it("keeps statements that are not plain parameter tuples off COPY, and they still work", async (context) => {
    gate(context);
    const table = uniqueName("sqlb_bulk_other");
    await db.execute(`CREATE TABLE ${table} (id int PRIMARY KEY, label text, at timestamptz DEFAULT now())`);
    try {
      const sets = Array.from({ length: 1_000 }, (_, i) => ({ id: i, label: `r${i}` }));
      // An expression in the tuple, a cast, and ON CONFLICT: multi-row VALUES or one statement per set.
      await db.executeMany(`INSERT INTO ${table} (id, label, at) VALUES (:id, upper(:label), now())`, sets);
      await db.executeMany(`INSERT INTO ${table} (id, label) VALUES (:id, :label) ON CONFLICT (id) DO UPDATE SET label = excluded.label`, sets);
      await db.executeMany(`INSERT INTO ${table} (id, label) VALUES (:id::int + 5000, :label)`, sets);
      const { rows } = await db.execute(`SELECT count(*)::int AS n, count(*) FILTER (WHERE label LIKE 'r%')::int AS lower FROM ${table}`);
      expect(rows).toEqual([{ n: 2_000, lower: 2_000 }]);
    } finally {
      await db.execute(`DROP TABLE IF EXISTS ${table}`);
    }
  }, 60_000);
});

describe("COPY text encoding", () => {
  it("escapes what COPY's text format treats specially and writes NULL as \\N", () => {
    expect(copyText(null)).toBe("\\N");
    expect(copyText(undefined)).toBe("\\N");
    expect(copyText("\\N")).toBe("\\\\N");
    expect(copyText("a\tb\nc\rd\\e")).toBe("a\\tb\\nc\\rd\\\\e");
    expect(copyText(Buffer.from([1, 255]))).toBe("\\\\x01ff");
    expect(copyText(12n)).toBe("12");
    expect(copyText(false)).toBe("false");
    // JSON's own escape (backslash, t) is escaped again for COPY.
    expect(copyText({ a: "t\tb" })).toBe('{"a":"t\\\\tb"}');
    expect(copyChunk([[1, "x"], [null, ""]], 0, 2)).toBe("1\tx\n\\N\t\n");
  });
});
