import { DatabaseError, registerDriver, SqlConnector } from "@sqlblocks/core";
import { uniqueName } from "@sqlblocks/testkit";
import { afterAll, describe, expect, it } from "vitest";
import mysqlPlugin from "../src/index.js";
import { serverGate, sleep } from "./server.js";

const url = process.env.SQLBLOCKS_TEST_MYSQL_URL ?? "mariadb+mysql2://root@127.0.0.1:3306/test";

/**
 * A million rows (over 10 MB on the wire): more than the kernel's socket buffers hold, so
 * a killed connection cannot have delivered the whole result before it died.
 */
const MANY_ROWS = `SELECT a.d + 10 * b.d + 100 * c.d + 1000 * d.d + 10000 * e.d + 100000 * f.d AS n
  FROM ${Array.from({ length: 6 }, (_, i) => `(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) ${"abcdef"[i]}`).join(", ")}`;

/**
 * Connections killed under the pool's feet (`KILL <id>`): the call in flight fails with a
 * transient error, the next call succeeds, and nothing crashes the process (an unhandled
 * `error` event would fail the run). The connector under test has one pooled connection,
 * so `CONNECTION_ID()` names it.
 */
describe("mysql/mariadb: connections killed by the server", () => {
  let db: SqlConnector;
  let admin: SqlConnector;
  const gate = serverGate("mysql fault tests", async () => {
    registerDriver(mysqlPlugin);
    db = new SqlConnector({ connectionInfo: url, pool: { max: 1 } });
    admin = new SqlConnector({ connectionInfo: url, pool: { max: 1 } });
    await admin.execute("SELECT 1");
  });
  afterAll(async () => {
    await db?.close();
    await admin?.close();
  });

  const connectionId = async () => Number((await db.execute("SELECT CONNECTION_ID() AS id")).rows[0]!.id);
  const isAlive = async (id: number) =>
    Number((await admin.execute("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE ID = :id", { id })).rows[0]!.n) > 0;
  const kill = async (id: number) => {
    await admin.execute(`KILL ${id}`);
    for (let i = 0; i < 100 && (await isAlive(id)); i++) await sleep(20);
    // Let the client side notice the closed socket.
    await sleep(50);
  };

  it("an idle pooled connection killed by the server is replaced; the next call succeeds", async (context) => {
    gate(context);
    const id = await connectionId();
    await kill(id);
    const next = await connectionId();
    expect(next).not.toBe(id);
    for (let i = 0; i < 3; i++) expect((await db.execute("SELECT :i AS i", { i })).rows).toEqual([{ i }]);
  });

  it("a statement in flight when its connection is killed fails as transient; the next call succeeds", async (context) => {
    gate(context);
    const id = await connectionId();
    const running = db.execute("SELECT SLEEP(30)").then(
      () => undefined,
      (error: unknown) => error,
    );
    await sleep(100);
    await kill(id);
    const failure = (await running) as DatabaseError;
    expect(failure).toBeInstanceOf(DatabaseError);
    expect(failure.transient).toBe(true);
    expect((await db.execute("SELECT 2 AS two")).rows).toEqual([{ two: 2 }]);
  });

  it("an open fetch cursor whose connection is killed fails as transient; the next fetch starts afresh", async (context) => {
    gate(context);
    const id = await connectionId();
    expect(await db.fetchMany(MANY_ROWS, {}, 2)).toEqual([{ n: "0" }, { n: "1" }]);
    expect(db.openCursorCount).toBe(1);
    await kill(id);
    // Rows that had already arrived may still be handed out; reading on reaches the break.
    const failure = (await db.fetchAll(MANY_ROWS).catch((error: unknown) => error)) as DatabaseError;
    expect(failure).toBeInstanceOf(DatabaseError);
    expect(failure.transient).toBe(true);
    expect(db.openCursorCount).toBe(0);
    expect(await db.fetchMany(MANY_ROWS, {}, 2)).toEqual([{ n: "0" }, { n: "1" }]);
    await db.resetConnections();
    expect((await db.execute("SELECT 3 AS three")).rows).toEqual([{ three: 3 }]);
  });

  it("a stream whose connection is killed mid-way fails as transient and releases its connection", async (context) => {
    gate(context);
    const id = await connectionId();
    let seen = 0;
    const failure = await (async () => {
      for await (const chunk of db.stream(MANY_ROWS, {}, { chunkSize: 10 })) {
        seen += chunk.length;
        if (seen === 10) await kill(id);
      }
    })().catch((error: unknown) => error);
    expect(seen).toBeLessThan(1_000_000);
    expect(failure).toBeInstanceOf(DatabaseError);
    expect((failure as DatabaseError).transient).toBe(true);
    expect((await db.execute("SELECT 4 AS four")).rows).toEqual([{ four: 4 }]);
  });

  it("a transaction whose connection is killed rolls back as transient; the next one commits", async (context) => {
    gate(context);
    const table = uniqueName("sqlb_fault_tx");
    await admin.execute(`CREATE TABLE ${table} (id INT PRIMARY KEY, note VARCHAR(50)) ENGINE=InnoDB`);
    try {
      const failure = await db
        .transaction(async (tx) => {
          await tx.execute(`INSERT INTO ${table} (id, note) VALUES (:id, :note)`, { id: 1, note: "before the kill" });
          // Visible inside the transaction, so the insert really ran on this connection.
          expect(Number((await tx.execute(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0]!.n)).toBe(1);
          const id = Number((await tx.execute("SELECT CONNECTION_ID() AS id")).rows[0]!.id);
          await kill(id);
          await tx.execute("SELECT 2");
        })
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(DatabaseError);
      expect((failure as DatabaseError).transient).toBe(true);
      // The row inserted before the kill is gone: the transaction rolled back.
      expect(Number((await admin.execute(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0]!.n)).toBe(0);
      expect(await db.transaction(async (tx) => (await tx.execute("SELECT 5 AS five")).rows[0])).toEqual({ five: 5 });
      await db.transaction((tx) => tx.execute(`INSERT INTO ${table} (id, note) VALUES (2, 'after')`));
      expect((await admin.execute(`SELECT id FROM ${table}`)).rows).toEqual([{ id: 2 }]);
    } finally {
      await admin.execute(`DROP TABLE IF EXISTS ${table}`);
    }
  });
});
