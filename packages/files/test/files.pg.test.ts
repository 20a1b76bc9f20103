import path from "node:path";
import type { SqlConnector } from "@sqlblocks/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportQuery, loadFile } from "../src/index.js";
import { PG_URL, reachable, suffix, tempFolder } from "./helpers.js";

const dir = tempFolder();
const source = `files_src_${suffix}`;
const target = `files_dst_${suffix}`;
let db: SqlConnector | undefined;

const COLUMNS = "id int8, amount numeric(20,6), at timestamptz, day date, data bytea, doc jsonb, name text, flag boolean, ratio float8";

beforeAll(async () => {
  db = await reachable(PG_URL);
  if (!db) return;
  await db.execute(`CREATE TABLE ${source} (${COLUMNS})`);
  await db.execute(`CREATE TABLE ${target} (${COLUMNS})`);
  await db.executeMany(
    `INSERT INTO ${source} (id, amount, at, day, data, doc, name, flag, ratio)
     VALUES (:id, :amount, :at, :day, :data, :doc, :name, :flag, :ratio)`,
    [
      {
        id: "9007199254740993",
        amount: "12345678901234.123456",
        at: new Date("2026-11-26T01:02:03.456Z"),
        day: "2026-02-28",
        data: Buffer.from([0, 1, 2, 254, 255]),
        doc: JSON.stringify({ a: [1, "two", null], b: { c: true } }),
        name: 'comma, "quote"\nnewline',
        flag: true,
        ratio: 0.1,
      },
      { id: "-1", amount: "0.000001", at: null, day: null, data: Buffer.alloc(0), doc: "[]", name: "", flag: false, ratio: -2.5e-300 },
      { id: null, amount: null, at: null, day: null, data: null, doc: null, name: null, flag: null, ratio: null },
    ],
  );
});
afterAll(async () => {
  if (!db) return;
  await db.execute(`DROP TABLE IF EXISTS ${source}`);
  await db.execute(`DROP TABLE IF EXISTS ${target}`);
  await db.close();
});

describe.each(["csv", "ndjson", "parquet"] as const)("PostgreSQL %s", (format) => {
  it("round-trips bigint, decimal, timestamptz, date, bytea, jsonb, text (NULL vs empty), boolean and float", async () => {
    if (!db) return;
    await db.execute(`TRUNCATE ${target}`);
    await db.resetConnections();
    const file = path.join(dir, `types.${format}`);
    expect((await exportQuery(db, `SELECT * FROM ${source}`, {}, { path: file })).rows).toBe(3);
    expect((await loadFile(db, { path: file, table: target })).rows).toBe(3);
    // Compared by the database itself: every column equal, NULLs included.
    const { rows } = await db.execute(
      `SELECT count(*)::int AS n FROM (SELECT * FROM ${source} EXCEPT ALL SELECT * FROM ${target}) d`,
    );
    expect(rows).toEqual([{ n: 0 }]);
    const { rows: counted } = await db.execute(`SELECT count(*)::int AS n, count(name)::int AS named FROM ${target}`);
    expect(counted).toEqual([{ n: 3, named: 2 }]);
  });
});
