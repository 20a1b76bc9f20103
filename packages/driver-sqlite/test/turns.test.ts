import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { registerDriver, SqlConnector } from "@sqlblocks/core";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import sqlitePlugin from "../src/index.js";

const folder = mkdtempSync(path.join(os.tmpdir(), "sqlblocks-sqlite-turns-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/**
 * SQLite has one connection per database file in a process: another caller's fetch must not run
 * inside a transaction that is open on it, or it reads rows that may be rolled back, and a write
 * it makes (INSERT … RETURNING through fetchOne) is rolled back with that transaction. Cursors
 * and streams take the turn to open and for each later read, not for their whole life.
 */
describe("sqlite: fetches and streams wait for another caller's open transaction", () => {
  let db: SqlConnector;
  let file: string;
  beforeEach(async () => {
    registerDriver(sqlitePlugin);
    file = path.join(folder, `turns-${Date.now()}-${Math.random().toString(16).slice(2)}.db`);
    db = new SqlConnector({ connectionInfo: `sqlite+better-sqlite3:///${file}` });
    await db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT)");
    await db.execute("INSERT INTO t (id, note) VALUES (1, 'committed')");
  });
  afterEach(async () => {
    await db.close();
  });

  /** Opens a transaction that writes a row, waits for `gate`, then rolls back. */
  function rollingBack(gate: Promise<void>): { written: Promise<void>; done: Promise<unknown> } {
    let written!: () => void;
    const writtenPromise = new Promise<void>((resolve) => {
      written = resolve;
    });
    const done = db
      .transaction(async (tx) => {
        await tx.execute("INSERT INTO t (id, note) VALUES (2, 'uncommitted')");
        written();
        await gate;
        throw new Error("roll back");
      })
      .catch((error: Error) => error.message);
    return { written: writtenPromise, done };
  }

  it("fetchOne, fetchMany and fetchAll do not see the rows of a transaction that is rolled back", async () => {
    let open!: () => void;
    const tx = rollingBack(new Promise<void>((resolve) => (open = resolve)));
    await tx.written;
    const reads = Promise.all([
      db.fetchOne<{ n: number }>("SELECT count(*) AS n FROM t"),
      db.fetchMany<{ id: number }>("SELECT id FROM t ORDER BY id", {}, 5),
      db.fetchAll<{ id: number }>("SELECT id, note FROM t ORDER BY id"),
    ]);
    open();
    expect(await tx.done).toBe("roll back");
    const [one, many, all] = await reads;
    expect(one).toEqual({ n: 1 });
    expect(many).toEqual([{ id: 1 }]);
    expect(all).toEqual([{ id: 1, note: "committed" }]);
  });

  it("a row inserted through fetchOne (RETURNING) is not rolled back with another caller's transaction", async () => {
    let open!: () => void;
    const tx = rollingBack(new Promise<void>((resolve) => (open = resolve)));
    await tx.written;
    const inserted = db.fetchOne<{ id: number }>("INSERT INTO t (id, note) VALUES (3, 'mine') RETURNING id");
    open();
    expect(await tx.done).toBe("roll back");
    expect(await inserted).toEqual({ id: 3 });
    expect((await db.execute<{ id: number }>("SELECT id FROM t ORDER BY id")).rows).toEqual([{ id: 1 }, { id: 3 }]);
  });

  it("a stream opened during another caller's transaction reads what is committed", async () => {
    let open!: () => void;
    const tx = rollingBack(new Promise<void>((resolve) => (open = resolve)));
    await tx.written;
    const streamed = (async () => {
      const rows: unknown[] = [];
      for await (const chunk of db.stream("SELECT id FROM t ORDER BY id", {}, { chunkSize: 10 })) rows.push(...chunk);
      return rows;
    })();
    open();
    expect(await tx.done).toBe("roll back");
    expect(await streamed).toEqual([{ id: 1 }]);
  });

  it("a cursor or stream opened before another caller's transaction reads its next page after that transaction", async () => {
    await db.execute("INSERT INTO t (id, note) VALUES (3, 'committed')");
    expect(await db.fetchMany<{ id: number }>("SELECT id FROM t ORDER BY id", {}, 1)).toEqual([{ id: 1 }]);
    const chunks = db.stream<{ id: number }>("SELECT id FROM t ORDER BY id", {}, { chunkSize: 1 })[Symbol.asyncIterator]();
    expect((await chunks.next()).value).toEqual([{ id: 1 }]);
    let open!: () => void;
    const tx = rollingBack(new Promise<void>((resolve) => (open = resolve)));
    await tx.written;
    const page = db.fetchMany<{ id: number }>("SELECT id FROM t ORDER BY id", {}, 1);
    const chunk = chunks.next();
    open();
    expect(await tx.done).toBe("roll back");
    // Row 2 was the rolled-back transaction's: neither read saw it.
    expect(await page).toEqual([{ id: 3 }]);
    expect((await chunk).value).toEqual([{ id: 3 }]);
    await chunks.return?.(undefined);
  });

  it("inside its own transaction a caller's fetch through the connector still runs (and sees the transaction's rows)", async () => {
    const seen = await db.transaction(async (tx) => {
      await tx.execute("INSERT INTO t (id, note) VALUES (4, 'own')");
      return db.fetchOne<{ n: number }>("SELECT count(*) AS n FROM t WHERE id = 4");
    });
    expect(seen).toEqual({ n: 1 });
  });
});
