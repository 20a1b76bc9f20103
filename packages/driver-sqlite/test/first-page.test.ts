import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { registerDriver, SqlConnector } from "@sqlblocks/core";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import sqlitePlugin from "../src/index.js";
import { returnsAtMostOneRow } from "../src/statements.js";

const folder = mkdtempSync(path.join(os.tmpdir(), "sqlblocks-sqlite-first-page-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe("returnsAtMostOneRow (the statement's bytecode)", () => {
  let db: Database.Database;
  beforeAll(() => {
    db = new Database(":memory:");
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT UNIQUE, name TEXT, n INTEGER)");
    db.exec("CREATE TABLE u (id INTEGER PRIMARY KEY, t_id INTEGER)");
  });
  afterAll(() => db.close());

  it.each([
    ["a primary key lookup", "SELECT id, name FROM t WHERE id = ?", [1]],
    ["a unique index lookup", "SELECT id FROM t WHERE code = ?", ["a"]],
    ["a row without a table", "SELECT 1 AS one, ? AS p", [2]],
    ["an aggregate without GROUP BY", "SELECT count(*) FROM t", []],
  ])("one row at most: %s", (_, sql, values) => {
    expect(returnsAtMostOneRow(db, sql, values)).toBe(true);
  });

  it.each([
    ["a scan", "SELECT id FROM t", []],
    ["a filter on a column without a unique index", "SELECT id FROM t WHERE n = ?", [1]],
    ["an IN list on the primary key", "SELECT id FROM t WHERE id IN (?, ?)", [1, 2]],
    ["OR on the primary key", "SELECT id FROM t WHERE id = ? OR id = ?", [1, 2]],
    ["LIMIT 1 on a scan", "SELECT id FROM t LIMIT 1", []],
    ["a join", "SELECT t.id FROM t JOIN u ON u.t_id = t.id WHERE t.id = ?", [1]],
    ["a compound SELECT", "SELECT 1 UNION ALL SELECT 2", []],
    ["a recursive CTE", "WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < 3) SELECT x FROM g", []],
    ["a GROUP BY", "SELECT n, count(*) FROM t GROUP BY n", []],
    ["a statement SQLite refuses", "SELEC 1", []],
  ])("may return more rows: %s", (_, sql, values) => {
    expect(returnsAtMostOneRow(db, sql, values)).toBe(false);
  });
});

describe("point lookups through the connector", () => {
  let connector: SqlConnector;
  beforeAll(() => registerDriver(sqlitePlugin));
  afterEach(async () => {
    await connector?.close();
  });

  it("a statement judged single-row that starts returning more rows (its table was redefined) still pages every row", async () => {
    connector = new SqlConnector({ connectionInfo: `sqlite+better-sqlite3:///${path.join(folder, "redefined.db")}` });
    await connector.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)");
    await connector.execute("INSERT INTO items (id, name) VALUES (1, 'a'), (2, 'b')");
    const sql = "SELECT name FROM items WHERE id = :id";
    expect(await connector.fetchOne(sql, { id: 1 })).toEqual({ name: "a" });
    await connector.execute("DROP TABLE items");
    await connector.execute("CREATE TABLE items (id INTEGER, name TEXT)");
    await connector.execute("INSERT INTO items (id, name) VALUES (1, 'x'), (1, 'y'), (1, 'z')");
    await connector.resetConnections();
    expect(await connector.fetchOne(sql, { id: 1 })).toEqual({ name: "x" });
    expect(connector.openCursorCount).toBe(1);
    expect(await connector.fetchMany(sql, { id: 1 }, 5)).toEqual([{ name: "y" }, { name: "z" }]);
    expect(connector.openCursorCount).toBe(0);
    // From now on the statement is iterated: the next lookup pages the same way.
    await connector.resetConnections();
    expect(await connector.fetchOne(sql, { id: 1 })).toEqual({ name: "x" });
    expect(await connector.fetchOne(sql, { id: 1 })).toEqual({ name: "y" });
  });

  it("statements cached for a connection are not used once the pool was closed: a new connection prepares its own", async () => {
    const file = path.join(folder, "reopened.db");
    connector = new SqlConnector({ connectionInfo: `sqlite+better-sqlite3:///${file}` });
    await connector.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)");
    await connector.execute("INSERT INTO items (id, name) VALUES (1, 'a')");
    const sql = "SELECT name FROM items WHERE id = :id";
    expect(await connector.fetchOne(sql, { id: 1 })).toEqual({ name: "a" });
    await connector.close();
    // The old connection is closed; a statement prepared on it would throw "The database connection is not open".
    await connector.execute("UPDATE items SET name = 'b' WHERE id = 1");
    expect(await connector.fetchOne(sql, { id: 1 })).toEqual({ name: "b" });
  });

  it("a lookup while a cursor of the same SQL is open reads beside it", async () => {
    connector = new SqlConnector({ connectionInfo: `sqlite+better-sqlite3:///${path.join(folder, "beside.db")}` });
    await connector.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER)");
    await connector.executeMany(
      "INSERT INTO items (id, n) VALUES (:id, :n)",
      [1, 2, 3, 4].map((id) => ({ id, n: id % 2 })),
    );
    const sql = "SELECT id FROM items WHERE n = :n ORDER BY id";
    expect(await connector.fetchOne(sql, { n: 1 })).toEqual({ id: 1 });
    expect(await connector.fetchOne(sql, { n: 0 })).toEqual({ id: 2 });
    expect(await connector.fetchOne(sql, { n: 1 })).toEqual({ id: 3 });
    expect(await connector.fetchOne(sql, { n: 0 })).toEqual({ id: 4 });
    expect(connector.openCursorCount).toBe(0);
  });
});
