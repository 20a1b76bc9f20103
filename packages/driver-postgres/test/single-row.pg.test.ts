import { registerDriver, SqlConnector } from "@sqlblocks/core";
import { uniqueName } from "@sqlblocks/testkit";
import pg from "pg";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { PgConnection } from "../src/connection.js";
import postgresPlugin from "../src/index.js";
import { equalityColumns, returnsAtMostOneRow } from "../src/single-row.js";
import { serverGate } from "./server.js";

const url = process.env.SQLBLOCKS_TEST_PG_URL ?? "postgresql+pg://postgres@127.0.0.1:5432/test";

describe("equalityColumns (an index condition as EXPLAIN VERBOSE prints it)", () => {
  it.each([
    ["(t.id = 5)", "t", ["id"]],
    ["((t.a = 1) AND (t.b = 'x'::text))", "t", ["a", "b"]],
    ["((t.a = 1) AND (t.\"Mixed\" = 'it''s (odd)'::text))", "t", ["a", "Mixed"]],
    ['("My Table".id = $1)', "My Table", ["id"]],
  ])("%s fixes %j", (condition, alias, columns) => {
    expect([...(equalityColumns(condition, alias) ?? [])]).toEqual(columns);
  });

  it.each([
    ["(t.id = ANY ('{1,2}'::integer[]))", "t"],
    ["(t.id > 5)", "t"],
    ["((t.a = 1) OR (t.b = 2))", "t"],
    ["(t.a = t.b)", "t"],
    ["(u.id = 5)", "t"],
    ["((t.id)::text = '5'::text)", "t"],
    ["t.id = 5", "t"],
  ])("%s: no verdict", (condition, alias) => {
    expect(equalityColumns(condition, alias)).toBeUndefined();
  });
});

describe("postgres: statements that return at most one row", () => {
  const table = uniqueName("sqlb_one");
  const pool = new pg.Pool({ connectionString: url.replace("postgresql+pg://", "postgresql://"), max: 1 });
  let client: pg.PoolClient;
  const gate = serverGate("postgres single-row tests", async () => {
    client = await pool.connect();
    await client.query(`DROP TABLE IF EXISTS ${table}`);
    await client.query(`CREATE TABLE ${table} (id int PRIMARY KEY, a int, b text, code text UNIQUE, n int, UNIQUE (a, b))`);
    await client.query(`CREATE INDEX ${table}_n ON ${table} (n)`);
    await client.query(`CREATE UNIQUE INDEX ${table}_lower ON ${table} (lower(b))`);
    await client.query(`INSERT INTO ${table} SELECT g, g % 10, 'b' || g, 'c' || g, g % 3 FROM generate_series(1, 2000) g`);
    await client.query(`ANALYZE ${table}`);
  });
  afterAll(async () => {
    await client?.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    client?.release();
    await pool.end();
  });

  it.for<[string, string, unknown[]]>([
    ["a primary key lookup", `SELECT id, b FROM ${table} WHERE id = $1`, [5]],
    ["a unique constraint lookup", `SELECT id FROM ${table} WHERE code = $1`, ["c5"]],
    ["every column of a two-column unique constraint", `SELECT id FROM ${table} WHERE a = $1 AND b = $2`, [5, "b5"]],
    ["a row without a table", "SELECT 1 AS one, $1::int AS p", [2]],
    ["an aggregate without GROUP BY", `SELECT count(*) FROM ${table}`, []],
  ])("yes: %s", async ([, sql, values], context) => {
    gate(context);
    expect(await returnsAtMostOneRow(client, sql, values)).toBe(true);
  });

  it.for<[string, string, unknown[]]>([
    ["a scan", `SELECT id FROM ${table}`, []],
    ["a non-unique index", `SELECT id FROM ${table} WHERE n = $1`, [1]],
    ["part of a two-column unique constraint", `SELECT id FROM ${table} WHERE a = $1`, [5]],
    ["= ANY on the primary key", `SELECT id FROM ${table} WHERE id = ANY($1)`, [[1, 2]]],
    ["a range on the primary key", `SELECT id FROM ${table} WHERE id < $1`, [3]],
    ["an expression index", `SELECT id FROM ${table} WHERE lower(b) = $1`, ["b5"]],
    ["a join", `SELECT x.id FROM ${table} x JOIN ${table} y ON y.id = x.n WHERE x.id = $1`, [5]],
    ["a set-returning function", "SELECT generate_series(1, 3)", []],
    ["a GROUP BY", `SELECT n, count(*) FROM ${table} GROUP BY n`, []],
    ["SQL the server refuses", "SELEC 1", []],
  ])("no: %s", async ([, sql, values], context) => {
    gate(context);
    expect(await returnsAtMostOneRow(client, sql, values).catch(() => false)).toBe(false);
  });
});

describe("postgres: point lookups through the connector", () => {
  const table = uniqueName("sqlb_look");
  let db: SqlConnector;
  const gate = serverGate("postgres lookup tests", async () => {
    registerDriver(postgresPlugin);
    db = new SqlConnector({ connectionInfo: url, pool: { max: 2 } });
    await db.execute(`DROP TABLE IF EXISTS ${table}`);
    await db.execute(`CREATE TABLE ${table} (id int PRIMARY KEY, name text)`);
    await db.execute(`INSERT INTO ${table} SELECT g, 'name ' || g FROM generate_series(1, 20) g`);
  });
  afterEach(() => vi.restoreAllMocks());
  afterAll(async () => {
    await db?.execute(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await db?.close();
  });

  it("a lookup by primary key seen before runs as one plain query, and pages like any other", async (context) => {
    gate(context);
    const query = vi.spyOn(PgConnection.prototype, "query");
    const sql = `SELECT id, name FROM ${table} WHERE id = :id`;
    expect(await db.fetchOne(sql, { id: 1 })).toEqual({ id: 1, name: "name 1" });
    expect(query).not.toHaveBeenCalled();
    for (let id = 2; id <= 5; id++) expect(await db.fetchOne(sql, { id })).toEqual({ id, name: `name ${id}` });
    expect(query).toHaveBeenCalledTimes(4);
    expect(await db.fetchOne(sql, { id: 5 })).toBeUndefined();
    expect(await db.fetchOne(sql, { id: 99 })).toBeUndefined();
    expect(db.openCursorCount).toBe(0);
  });

  it("a statement that writes never takes the plain path, even when it looks like a lookup", async (context) => {
    gate(context);
    const query = vi.spyOn(PgConnection.prototype, "query");
    const sql = `WITH gone AS (DELETE FROM ${table} WHERE id = :id RETURNING id) SELECT id FROM gone`;
    for (const id of [18, 19, 20]) expect(await db.fetchOne(sql, { id })).toEqual({ id });
    expect(query).not.toHaveBeenCalled();
    expect((await db.execute(`SELECT count(*)::int AS n FROM ${table}`)).rows).toEqual([{ n: 17 }]);
  });

  it("a lookup judged single-row whose table changed under it still pages every row", async (context) => {
    gate(context);
    const other = uniqueName("sqlb_redef");
    const sql = `SELECT name FROM ${other} WHERE id = :id`;
    await db.execute(`CREATE TABLE ${other} (id int PRIMARY KEY, name text)`);
    try {
      await db.execute(`INSERT INTO ${other} VALUES (1, 'a')`);
      expect(await db.fetchOne(sql, { id: 1 })).toEqual({ name: "a" });
      await db.resetConnections();
      expect(await db.fetchOne(sql, { id: 1 })).toEqual({ name: "a" });
      await db.execute(`ALTER TABLE ${other} DROP CONSTRAINT ${other}_pkey`);
      await db.execute(`INSERT INTO ${other} VALUES (1, 'b'), (1, 'c')`);
      await db.resetConnections();
      expect(await db.fetchOne(sql, { id: 1 })).toEqual({ name: "a" });
      expect(await db.fetchMany(sql, { id: 1 }, 5)).toEqual([{ name: "b" }, { name: "c" }]);
      expect(db.openCursorCount).toBe(0);
    } finally {
      await db.execute(`DROP TABLE IF EXISTS ${other}`);
    }
  });
});
