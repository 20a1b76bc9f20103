import { describe, expect, it } from "vitest";
import { resolveScanOptions } from "../src/params/options.js";
import { analyzeQuery } from "../src/telemetry/query.js";

const pg = resolveScanOptions("dollar", {});
const mysql = resolveScanOptions("question", { backslashEscapes: true, hashComments: true });
const sqlite = resolveScanOptions("question", {});

describe("analyzeQuery", () => {
  it.each([
    ["SELECT * FROM users WHERE id = :id", "SELECT users", "SELECT", "users"],
    ["select name from public.users u where u.id = :id", "SELECT public.users", "SELECT", "public.users"],
    ["INSERT INTO customers (name, address) VALUES (:name, :address)", "INSERT customers", "INSERT", "customers"],
    ["UPDATE accounts SET balance = balance - :n WHERE id = :from", "UPDATE accounts", "UPDATE", "accounts"],
    ["DELETE FROM sessions WHERE expires < :now", "DELETE sessions", "DELETE", "sessions"],
    ["CREATE TABLE IF NOT EXISTS customers (name varchar(255), address varchar(255))", "CREATE TABLE customers", "CREATE TABLE", "customers"],
    ["DROP TABLE IF EXISTS customers", "DROP TABLE customers", "DROP TABLE", "customers"],
    ["SELECT 1", "SELECT", "SELECT", undefined],
    ["SELECT a.x, b.y FROM a JOIN b ON a.id = b.id", "SELECT a b", "SELECT", undefined],
    ["SELECT * FROM a, b WHERE a.id = b.id", "SELECT a b", "SELECT", undefined],
    ["SELECT * FROM orders WHERE id IN (SELECT order_id FROM items)", "SELECT orders SELECT items", undefined, undefined],
    ["INSERT INTO archive SELECT * FROM orders", "INSERT archive SELECT orders", undefined, undefined],
    ["SELECT * FROM (SELECT * FROM t) x", "SELECT SELECT t", undefined, undefined],
    ["SELECT EXTRACT(YEAR FROM created_at) FROM events", "SELECT events", "SELECT", "events"],
    ["SELECT * FROM generate_series(1, 10)", "SELECT", "SELECT", undefined],
    ["INSERT INTO t (id) VALUES (:id) ON CONFLICT (id) DO UPDATE SET n = t.n + 1", "INSERT t", "INSERT", "t"],
    ["SELECT * FROM jobs WHERE id = $1 FOR UPDATE", "SELECT jobs", "SELECT", "jobs"],
  ])("%s", (sql, summary, operation, collection) => {
    const shape = analyzeQuery(sql, pg);
    expect([shape.summary, shape.operation, shape.collection]).toEqual([summary, operation, collection]);
  });

  it("keeps named parameters and replaces every literal with ?", () => {
    const shape = analyzeQuery("SELECT * FROM t WHERE a = :a AND b = 'secret' AND c = 42 AND d = E'x\\'y' AND e = $$z$$ -- note\n", pg);
    expect(shape.text).toBe("SELECT * FROM t WHERE a = :a AND b = ? AND c = ? AND d = ? AND e = ?");
  });

  it("keeps identifiers and driver placeholders, not numbers inside them", () => {
    expect(analyzeQuery('SELECT "col1", t2.x FROM t2 WHERE id = $1 LIMIT 10', pg).text).toBe('SELECT "col1", t2.x FROM t2 WHERE id = $1 LIMIT ?');
    expect(analyzeQuery("SELECT `a` FROM t WHERE b = \"lit\" AND c = ? # c\n", mysql).text).toBe("SELECT `a` FROM t WHERE b = ? AND c = ?");
    expect(analyzeQuery("SELECT [a] FROM t WHERE x = 0x1F AND y = 1.5e3", sqlite).text).toBe("SELECT [a] FROM t WHERE x = ? AND y = ?");
  });

  it("prefixes batches with BATCH", () => {
    const shape = analyzeQuery("INSERT INTO customers (name) VALUES (:name)", sqlite, true);
    expect([shape.summary, shape.operation, shape.collection]).toEqual(["BATCH INSERT customers", "BATCH INSERT", "customers"]);
  });

  it("MySQL's ON DUPLICATE KEY UPDATE is not a second operation", () => {
    const shape = analyzeQuery("INSERT INTO t (id, n) VALUES (?, ?) ON DUPLICATE KEY UPDATE n = n + 1", mysql);
    expect([shape.summary, shape.operation, shape.collection]).toEqual(["INSERT t", "INSERT", "t"]);
  });

  it("cuts a summary at 255 characters", () => {
    const tables = Array.from({ length: 80 }, (_, i) => `table_${i}`).join(", ");
    expect(analyzeQuery(`SELECT * FROM ${tables}`, pg).summary!.length).toBe(255);
  });
});
