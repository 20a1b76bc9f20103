import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type StatementEvent, statementChannel } from "../src/connector/events.js";
import { ResultKey, ResultKeySet } from "../src/connector/result-keys.js";
import { SqlConnector } from "../src/connector/sql-connector.js";
import { resultKey } from "../src/connector/statement-text.js";
import type { Params } from "../src/connector/types.js";
import { clearDriverRegistry, registerDriver } from "../src/driver/registry.js";
import { DatabaseError, TooManyCursorsError } from "../src/errors.js";
import { createTestPlugin, ids, type PluginCalls, rejection, seedItems } from "./helpers/test-plugin.js";

/**
 * The first fetch of a (sql, params) key reads one row ahead: a result that ends within it
 * leaves nothing open. On an in-process driver (`connectNow` + `readFirstNow`) it is one
 * synchronous driver call; on others, `openCursor` and `read`.
 */
const ALL = "SELECT id FROM items ORDER BY id";
const BY_ID = "SELECT id, name FROM items WHERE id = :id";

let calls: PluginCalls;
let connectors: SqlConnector[];
let failWith: ((sql: string) => unknown) | undefined;

async function seeded(rows: number, options: { maxOpenCursors?: number } = {}): Promise<SqlConnector> {
  const connector = new SqlConnector({ connectionInfo: "sqlite+better-sqlite3:///:memory:", ...options });
  connectors.push(connector);
  return seedItems(connector, rows);
}

for (const inProcess of [true, false]) {
  describe(`the first page (${inProcess ? "in-process driver: connectNow + readFirstNow" : "openCursor + read"})`, () => {
    beforeEach(() => {
      connectors = [];
      failWith = undefined;
      const test = createTestPlugin({ inProcess, failWith: (sql) => failWith?.(sql) });
      calls = test.calls;
      registerDriver(test.plugin);
    });
    afterEach(async () => {
      for (const connector of connectors) await connector.close();
      clearDriverRegistry();
    });

    const driverCalls = () => (inProcess ? calls.readFirstNow : calls.openCursor);

    it("a point lookup leaves no cursor open; the same key then gives nothing until reset", async () => {
      const connector = await seeded(5);
      const before = driverCalls();
      expect(await connector.fetchOne(BY_ID, { id: 3 })).toEqual({ id: 3, name: "item 3" });
      expect(connector.openCursorCount).toBe(0);
      expect(driverCalls()).toBe(before + 1);
      // Nothing was left to close: the result ended within the first page.
      if (inProcess) expect(calls.openCursor + calls.cursorClose).toBe(0);
      expect(await connector.fetchOne(BY_ID, { id: 3 })).toBeUndefined();
      expect(await connector.fetchOne(BY_ID, { id: "3" })).toEqual({ id: 3, name: "item 3" });
      expect(await connector.fetchOne(BY_ID, { id: 99 })).toBeUndefined();
      expect(driverCalls()).toBe(before + 3);
      await connector.resetConnections();
      expect(await connector.fetchOne(BY_ID, { id: 3 })).toEqual({ id: 3, name: "item 3" });
    });

    it("a result longer than the first page keeps its cursor and pages on from the row read ahead", async () => {
      const connector = await seeded(5);
      expect(await connector.fetchOne(ALL)).toEqual({ id: 1 });
      expect(connector.openCursorCount).toBe(1);
      expect(ids(await connector.fetchMany(ALL, {}, 2))).toEqual([2, 3]);
      expect(await connector.fetchOne(ALL)).toEqual({ id: 4 });
      expect(ids(await connector.fetchAll(ALL))).toEqual([5]);
      expect(connector.openCursorCount).toBe(0);
      expect(calls.cursorClose).toBe(1);
      expect(await connector.fetchOne(ALL)).toBeUndefined();
    });

    it("a first page of exactly the rows asked for keeps the cursor until the next read finds the end", async () => {
      const connector = await seeded(2);
      expect(ids(await connector.fetchMany(ALL, {}, 1))).toEqual([1]);
      expect(connector.openCursorCount).toBe(1);
      expect(ids(await connector.fetchMany(ALL, {}, 1))).toEqual([2]);
      expect(connector.openCursorCount).toBe(0);
      expect(await connector.fetchMany(ALL, {}, 1)).toEqual([]);
    });

    it("concurrent calls for one key page on one result, in call order", async () => {
      const connector = await seeded(5);
      const rows = await Promise.all([connector.fetchOne(ALL), connector.fetchOne(ALL), connector.fetchMany(ALL, {}, 2), connector.fetchOne(ALL)]);
      expect(rows).toEqual([{ id: 1 }, { id: 2 }, [{ id: 3 }, { id: 4 }], { id: 5 }]);
      expect(connector.openCursorCount).toBe(0);
      expect(await connector.fetchOne(ALL)).toBeUndefined();
    });

    it("concurrent lookups of one key that ends in one page: the first gets the row, the others nothing", async () => {
      const connector = await seeded(3);
      const rows = await Promise.all([connector.fetchOne(BY_ID, { id: 2 }), connector.fetchOne(BY_ID, { id: 2 })]);
      expect(rows).toEqual([{ id: 2, name: "item 2" }, undefined]);
    });

    it("a statement that writes runs once and its rows come back after it ended", async () => {
      const connector = await seeded(3);
      expect(await connector.fetchOne("DELETE FROM items WHERE id = :id RETURNING id", { id: 2 })).toEqual({ id: 2 });
      expect(connector.openCursorCount).toBe(0);
      expect(ids((await connector.execute(ALL)).rows)).toEqual([1, 3]);
      expect(await connector.fetchOne("UPDATE items SET name = 'x' WHERE id = 1")).toBeUndefined();
      expect((await connector.execute("SELECT name FROM items WHERE id = 1")).rows).toEqual([{ name: "x" }]);
    });

    it("a failing first read is a DatabaseError naming the SQL; the connection stays usable and nothing stays open", async () => {
      const connector = await seeded(3);
      failWith = (sql) => (sql.includes("WHERE id = ?") ? Object.assign(new Error("disk I/O error"), { code: "SQLITE_IOERR" }) : undefined);
      const error = await rejection(connector.fetchOne(BY_ID, { id: 1 }));
      expect(error).toBeInstanceOf(DatabaseError);
      expect((error as DatabaseError).driverCode).toBe("SQLITE_IOERR");
      expect((error as DatabaseError).sql).toBe(BY_ID);
      expect(connector.openCursorCount).toBe(0);
      failWith = undefined;
      expect(await connector.fetchOne(BY_ID, { id: 1 })).toEqual({ id: 1, name: "item 1" });
    });

    it("maxOpenCursors counts the cursors left open, not the lookups that ended", async () => {
      const connector = await seeded(5, { maxOpenCursors: 1 });
      for (let id = 1; id <= 5; id++) expect(await connector.fetchOne(BY_ID, { id })).toMatchObject({ id });
      expect(await connector.fetchOne(ALL)).toEqual({ id: 1 });
      expect(connector.openCursorCount).toBe(1);
      await expect(connector.fetchOne("SELECT id FROM items WHERE id > 1")).rejects.toBeInstanceOf(TooManyCursorsError);
      await connector.resetConnections();
      expect(await connector.fetchOne(BY_ID, { id: 1 })).toMatchObject({ id: 1 });
    });

    it("reports one statement event per call, with the rows handed out", async () => {
      const connector = await seeded(3);
      const events: StatementEvent[] = [];
      const listener = (message: unknown) => events.push(message as StatementEvent);
      statementChannel.subscribe(listener);
      try {
        await connector.fetchOne(BY_ID, { id: 1 });
        await connector.fetchOne(ALL);
        await connector.fetchOne(ALL);
        failWith = () => Object.assign(new Error("constraint failed"), { code: "SQLITE_CONSTRAINT_PRIMARYKEY" });
        await connector.fetchOne(BY_ID, { id: 2 }).catch(() => undefined);
      } finally {
        statementChannel.unsubscribe(listener);
      }
      expect(events.map((e) => [e.operation, e.sql, e.rowCount, e.errorCode])).toEqual([
        ["fetchOne", BY_ID, 1, undefined],
        ["fetchOne", ALL, 1, undefined],
        ["fetchOne", ALL, 1, undefined],
        ["fetchOne", BY_ID, 0, "SQLBLOCKS_UNIQUE_VIOLATION"],
      ]);
    });

    it("resetConnections while a first page is on its way leaves nothing open and starts over", async () => {
      const connector = await seeded(4);
      const first = connector.fetchOne(ALL);
      await connector.resetConnections();
      expect(await first).toEqual({ id: 1 });
      expect(connector.openCursorCount).toBe(0);
      expect(await connector.fetchOne(ALL)).toEqual({ id: 1 });
      await connector.close();
      expect(connector.openCursorCount).toBe(0);
    });
  });
}

describe("result keys", () => {
  const sql = "SELECT * FROM t WHERE a = :a";
  const values = fc.oneof(fc.integer(), fc.double(), fc.string(), fc.boolean(), fc.constant(null), fc.date({ noInvalidDate: true }));
  const params: fc.Arbitrary<Params | undefined> = fc.oneof(
    fc.constant(undefined),
    fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), values, { maxKeys: 3 }),
    fc.array(values, { maxLength: 3 }),
  );

  it("ResultKey.text is resultKey(sql, params): one key text, whichever way it is kept", () => {
    fc.assert(
      fc.property(params, (p) => {
        expect(new ResultKey(sql, p).text).toBe(resultKey(sql, p));
      }),
    );
  });

  it("a ResultKeySet holds exactly the keys whose text was added", () => {
    fc.assert(
      fc.property(fc.array(params, { maxLength: 8 }), params, (added, probe) => {
        const set = new ResultKeySet(1000);
        for (const p of added) set.add(new ResultKey(sql, p));
        const texts = new Set(added.map((p) => resultKey(sql, p)));
        expect(set.has(new ResultKey(sql, probe))).toBe(texts.has(resultKey(sql, probe)));
      }),
    );
  });

  it("tells 1 from '1', ignores key order, and treats {} as no parameters", () => {
    const set = new ResultKeySet(1000);
    set.add(new ResultKey(sql, { a: 1 }));
    set.add(new ResultKey(sql, { a: 1, b: 2 }));
    set.add(new ResultKey(sql, {}));
    expect(set.has(new ResultKey(sql, { a: 1 }))).toBe(true);
    expect(set.has(new ResultKey(sql, { a: "1" }))).toBe(false);
    expect(set.has(new ResultKey(sql, { b: 2, a: 1 }))).toBe(true);
    expect(set.has(new ResultKey(sql, undefined))).toBe(true);
    expect(set.has(new ResultKey("SELECT 1", { a: 1 }))).toBe(false);
  });

  it("answers the same whichever (SQL, parameter) was added last, across generations", () => {
    const other = "SELECT * FROM u WHERE b = :b";
    const set = new ResultKeySet(8);
    // Alternating texts and names: the set's remembered (SQL, name) changes on every add.
    for (let i = 0; i < 5; i++) {
      set.add(new ResultKey(sql, { a: i }));
      set.add(new ResultKey(other, { b: i }));
    }
    // Generations of four keys: 0–1 of each text were dropped when 4 started a new one.
    const kept = (text: string, name: string) => [...Array(5).keys()].filter((i) => set.has(new ResultKey(text, { [name]: i })));
    expect(kept(sql, "a")).toEqual([2, 3, 4]);
    expect(kept(other, "b")).toEqual([2, 3, 4]);
    expect(set.has(new ResultKey(sql, { b: 3 }))).toBe(false);
    expect(set.has(new ResultKey(other, { a: 3 }))).toBe(false);
    set.clear();
    expect(set.has(new ResultKey(other, { b: 4 }))).toBe(false);
    set.add(new ResultKey(other, { b: 4 }));
    expect(set.has(new ResultKey(other, { b: 4 }))).toBe(true);
  });

  it("forgets the older half of its keys at once past its capacity, the newest kept", () => {
    const set = new ResultKeySet(10);
    for (let i = 0; i < 12; i++) set.add(new ResultKey(sql, { a: i }));
    // Generations of five: 0–4 were dropped when 10–11 started a new one.
    expect([...Array(12).keys()].filter((i) => set.has(new ResultKey(sql, { a: i })))).toEqual([5, 6, 7, 8, 9, 10, 11]);
    set.clear();
    expect(set.has(new ResultKey(sql, { a: 11 }))).toBe(false);
  });
});
