import { DatabaseError, registerDriver, SqlConnector } from "@sqlblocks/core";
import { uniqueName } from "@sqlblocks/testkit";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import postgresPlugin from "../src/index.js";
import { serverGate } from "./server.js";

const url = process.env.SQLBLOCKS_TEST_PG_URL ?? "postgresql+pg://postgres@127.0.0.1:5432/test";

/**
 * The portal cursor: pages read ahead, errors at any point of a result, the implicit
 * transaction's commit, and pg's type parsers.
 */
describe("postgres: the portal cursor", () => {
  const table = uniqueName("sqlb_pgcur");
  let db: SqlConnector;
  const gate = serverGate("postgres cursor tests", async () => {
    registerDriver(postgresPlugin);
    db = new SqlConnector({ connectionInfo: url, pool: { max: 2 } });
    await db.execute("SELECT 1");
  });
  afterAll(async () => {
    await db?.execute(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await db?.close();
  });

  const numbers = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ n: from + i }));

  it("pages of changing sizes follow each other exactly, whatever was read ahead", async (context) => {
    gate(context);
    const sql = "SELECT g AS n FROM generate_series(1, 50) AS g ORDER BY g";
    expect(await db.fetchMany(sql, {}, 3)).toEqual(numbers(1, 3));
    expect(await db.fetchMany(sql, {}, 1)).toEqual(numbers(4, 4));
    expect(await db.fetchMany(sql, {}, 10)).toEqual(numbers(5, 14));
    expect(await db.fetchOne(sql)).toEqual({ n: 15 });
    expect(await db.fetchMany(sql, {}, 2)).toEqual(numbers(16, 17));
    expect(await db.fetchAll(sql)).toEqual(numbers(18, 50));
    expect(db.openCursorCount).toBe(0);
  });

  it("an error partway through a result fails the read that reaches it; the pool stays usable", async (context) => {
    gate(context);
    const sql = "SELECT g AS n, 1 / (2500 - g) AS x FROM generate_series(1, 5000) AS g";
    expect(await db.fetchMany(sql, {}, 1000)).toHaveLength(1000);
    const failure = await (async () => {
      for (let page = 0; page < 5; page++) await db.fetchMany(sql, {}, 1000);
    })().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DatabaseError);
    expect((failure as DatabaseError).driverCode).toBe("22012");
    expect(db.openCursorCount).toBe(0);
    expect(await db.fetchAll("SELECT 7 AS seven")).toEqual([{ seven: 7 }]);
  });

  it("a statement that fails to parse fails the first read with its SQLSTATE", async (context) => {
    gate(context);
    const failure = await db.fetchOne("SELEC 1").catch((error: unknown) => error);
    expect(failure).toMatchObject({ driverCode: "42601", transient: false });
    expect(await db.fetchOne("SELECT 8 AS eight")).toEqual({ eight: 8 });
  });

  it("rows come back only once the statement's implicit transaction has committed", async (context) => {
    gate(context);
    await db.execute(`CREATE TABLE ${table} (id int PRIMARY KEY, parent int REFERENCES ${table} (id) DEFERRABLE INITIALLY DEFERRED)`);
    // The foreign key is checked at commit, after the statement has produced its row.
    const failure = await db.fetchOne(`INSERT INTO ${table} (id, parent) VALUES (1, 99) RETURNING id`).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DatabaseError);
    expect((failure as DatabaseError).driverCode).toBe("23503");
    expect(await db.fetchOne(`INSERT INTO ${table} (id, parent) VALUES (2, 2) RETURNING id`)).toEqual({ id: 2 });
    expect((await db.execute(`SELECT id FROM ${table}`)).rows).toEqual([{ id: 2 }]);
    expect(await db.fetchOne(`UPDATE ${table} SET parent = NULL WHERE id = 2`)).toBeUndefined();
    expect((await db.execute(`SELECT parent FROM ${table}`)).rows).toEqual([{ parent: null }]);
  });

  it("a stream left early, with the next page already asked for, leaves a usable connection", async (context) => {
    gate(context);
    for (let round = 0; round < 3; round++) {
      let seen = 0;
      for await (const chunk of db.stream("SELECT g AS n FROM generate_series(1, 100000) AS g", {}, { chunkSize: 500 })) {
        seen += chunk.length;
        if (seen >= 1000) break;
      }
      expect(seen).toBe(1000);
    }
    expect(await db.fetchAll("SELECT 9 AS nine")).toEqual([{ nine: 9 }]);
  });

  it("a client's own type parsers apply to cursor rows", async (context) => {
    gate(context);
    const custom = new SqlConnector({
      connectionInfo: url,
      connectArgs: {
        types: {
          getTypeParser: (oid: number, format?: string) =>
            oid === 23 ? (value: string) => `int4:${value}` : pg.types.getTypeParser(oid, format as "text"),
        },
      },
    });
    try {
      expect(await custom.fetchOne("SELECT 5::int4 AS n, 'x'::text AS s")).toEqual({ n: "int4:5", s: "x" });
      expect(await custom.fetchMany("SELECT g::int4 AS n FROM generate_series(1, 3) AS g", {}, 2)).toEqual([{ n: "int4:1" }, { n: "int4:2" }]);
    } finally {
      await custom.close();
    }
  });
});
