import { DatabaseError, PoolTimeoutError, registerDriver, SqlConnector } from "@sqlblocks/core";
import { uniqueName } from "@sqlblocks/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import postgresPlugin from "../src/index.js";
import { serverGate } from "./server.js";

const url = process.env.SQLBLOCKS_TEST_PG_URL ?? "postgresql+pg://postgres@127.0.0.1:5432/test";

describe("postgres: SQL the parameter compiler must leave alone, and PostgreSQL types", () => {
  const table = uniqueName("sqlb_pg");
  let db: SqlConnector;
  const gate = serverGate("postgres tests", async () => {
    registerDriver(postgresPlugin);
    db = new SqlConnector({ connectionInfo: url });
    await db.execute("SELECT 1");
  });

  beforeAll(async () => {
    await db?.execute(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
  });
  afterAll(async () => {
    await db?.execute(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await db?.close();
  });

  it("`::` casts sit next to :params", async (context) => {
    gate(context);
    const row = await db.fetchAll("SELECT :n::int + 1 AS x, '5'::text AS s, :n::text || '::' AS t, :n::int = :n::int AS same", {
      n: "41",
    });
    expect(row).toEqual([{ x: 42, s: "5", t: "41::", same: true }]);
  });

  it("dollar-quoted strings and comments keep their colons", async (context) => {
    gate(context);
    const rows = await db.fetchAll(
      "SELECT $$it's :not_a_param$$ AS a, $tag$ :x $$ $tag$ AS b /* :c */, :y AS y -- :z\n",
      { y: "yes" },
    );
    expect(rows).toEqual([{ a: "it's :not_a_param", b: " :x $$ ", y: "yes" }]);
  });

  it("positional $n values pass through unchanged", async (context) => {
    gate(context);
    expect(await db.fetchAll("SELECT $1::int + $2::int AS n", [2, 3])).toEqual([{ n: 5 }]);
  });

  it("RETURNING gives rows and the affected count", async (context) => {
    gate(context);
    await db.execute(
      `CREATE TABLE ${table} (id serial PRIMARY KEY, name text NOT NULL, big int8, amount numeric(30, 10), at timestamptz, day date, doc jsonb, raw json, bytes bytea, flag boolean, tags int[])`,
    );
    const inserted = await db.execute(`INSERT INTO ${table} (name) VALUES (:a), (:b) RETURNING id, name`, { a: "Marvin", b: "Ford" });
    expect(inserted.rowCount).toBe(2);
    expect(inserted.rows).toEqual([
      { id: 1, name: "Marvin" },
      { id: 2, name: "Ford" },
    ]);
    const updated = await db.execute(`UPDATE ${table} SET name = upper(name) WHERE id = :id RETURNING name`, { id: 2 });
    expect(updated).toEqual({ rowCount: 1, rows: [{ name: "FORD" }] });
    const deleted = await db.execute(`DELETE FROM ${table}`);
    expect(deleted).toEqual({ rowCount: 2, rows: [] });
  });

  it("maps int8 and numeric to strings, timestamptz to Date, json/jsonb to objects", async (context) => {
    gate(context);
    const at = new Date("2024-02-29T12:34:56.789Z");
    await db.execute(
      `INSERT INTO ${table} (name, big, amount, at, day, doc, raw, bytes, flag, tags)
       VALUES (:name, :big, :amount, :at, :day, :doc::jsonb, :raw, :bytes, :flag, :tags)`,
      {
        name: "types",
        big: 9007199254740993n,
        amount: "12345678901234567890.0123456789",
        at,
        day: "2024-02-29",
        doc: JSON.stringify({ a: [1, 2], b: { c: null } }),
        raw: { plain: "object", n: 1 },
        bytes: Buffer.from([0, 1, 255]),
        flag: true,
        tags: [1, 2, 3],
      },
    );
    const row = await db.fetchOne(`SELECT big, amount, at, day::text AS day, doc, raw, bytes, flag, tags, NULL::int AS nothing FROM ${table} WHERE name = :name`, {
      name: "types",
    });
    await db.resetConnections();
    expect(row).toEqual({
      big: "9007199254740993",
      amount: "12345678901234567890.0123456789",
      at,
      day: "2024-02-29",
      doc: { a: [1, 2], b: { c: null } },
      raw: { plain: "object", n: 1 },
      bytes: Buffer.from([0, 1, 255]),
      flag: true,
      tags: [1, 2, 3],
      nothing: null,
    });
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
  });

  it("executeMany of an UPDATE reuses one prepared statement and names a failing set", async (context) => {
    gate(context);
    await db.execute(`DELETE FROM ${table}`);
    await db.executeMany(
      `INSERT INTO ${table} (id, name) VALUES (:id, :name)`,
      [1, 2, 3].map((id) => ({ id, name: `n${id}` })),
    );
    const updated = await db.executeMany(`UPDATE ${table} SET big = :big::int8 WHERE id = :id`, [
      { id: 1, big: "10" },
      { id: 2, big: "20" },
    ]);
    expect(updated.rowCount).toBe(2);
    const failure = await db
      .executeMany(`UPDATE ${table} SET name = :name WHERE id = :id`, [
        { id: 1, name: "kept?" },
        { id: 2, name: null },
      ])
      .then(
        () => undefined,
        (error: unknown) => error as DatabaseError,
      );
    expect(failure).toBeInstanceOf(DatabaseError);
    expect(failure?.index).toBe(1);
    expect(failure?.driverCode).toBe("23502");
    expect(failure?.transient).toBe(false);
    expect((await db.fetchAll(`SELECT name FROM ${table} WHERE id = 1`))[0]).toEqual({ name: "n1" });
  });

  it("a cursor pages a large result without reading it all", async (context) => {
    gate(context);
    // nextval() runs once per row the server produces, and a sequence is not transactional: its
    // last value, read on another connection, counts the rows the portal has produced so far.
    const sequence = `${table}_rows`;
    await db.execute(`CREATE SEQUENCE ${sequence}`);
    const produced = async () => Number((await db.execute<{ n: string }>(`SELECT last_value AS n FROM ${sequence}`)).rows[0]!.n);
    try {
      const sql = `SELECT nextval('${sequence}') AS n FROM generate_series(1, :count) AS g`;
      expect(await db.fetchMany(sql, { count: 5_000_000 }, 3)).toEqual([{ n: "1" }, { n: "2" }, { n: "3" }]);
      expect(await db.fetchMany(sql, { count: 5_000_000 }, 2)).toEqual([{ n: "4" }, { n: "5" }]);
      expect(db.openCursorCount).toBe(1);
      // At most a page or two ahead of what was read, never the 5,000,000 rows.
      expect(await produced()).toBeLessThanOrEqual(100);
      await db.resetConnections();
      expect(db.openCursorCount).toBe(0);
      // Closing the portal stopped it: nothing more was produced.
      expect(await produced()).toBeLessThanOrEqual(100);
      // The connection went back to the pool in a usable state.
      expect(await db.fetchAll("SELECT 1 AS one")).toEqual([{ one: 1 }]);
    } finally {
      // The open portal's transaction holds a lock on the sequence: close it before dropping.
      await db.resetConnections();
      await db.execute(`DROP SEQUENCE IF EXISTS ${sequence}`);
    }
  }, 30_000);

  it("pool.acquireTimeoutMs fails a wait for a free connection with a transient error", async (context) => {
    gate(context);
    const small = new SqlConnector({ connectionInfo: url, pool: { max: 1, acquireTimeoutMs: 200 } });
    try {
      const held = await small.getClient("connection");
      const failure = await small.execute("SELECT 1").catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(PoolTimeoutError);
      expect(failure).toMatchObject({ code: "SQLBLOCKS_POOL_TIMEOUT", transient: true, poolMax: 1, timeoutMs: 200 });
      expect((failure as Error).message).toMatch(/pool\.max = 1\b.*within 200 ms: raise pool\.max or pool\.acquireTimeoutMs/);
      await held.release();
      expect((await small.execute("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    } finally {
      await small.close();
    }
  });

  it("a unique violation carries SQLSTATE 23505 and is not transient", async (context) => {
    gate(context);
    const failure = await db.execute(`INSERT INTO ${table} (id, name) VALUES (:id, :name)`, { id: 1, name: "again" }).catch((e: unknown) => e);
    expect(failure).toMatchObject({ driverCode: "23505", transient: false });
  });
});
