import { DatabaseError, PoolTimeoutError, registerDriver, SqlConnector } from "@sqlblocks/core";
import { uniqueName } from "@sqlblocks/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import mysqlPlugin, { HIGH_WATER_ROWS, type MysqlCursor } from "../src/index.js";
import { serverGate, sleep } from "./server.js";

const url = process.env.SQLBLOCKS_TEST_MYSQL_URL ?? "mariadb+mysql2://root@127.0.0.1:3306/test";

/** A million rows without a table: six cross-joined digits. */
const MILLION_ROWS = `SELECT a.d + 10 * b.d + 100 * c.d + 1000 * d.d + 10000 * e.d + 100000 * f.d AS n
  FROM ${Array.from({ length: 6 }, (_, i) => `(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) ${"abcdef"[i]}`).join(", ")}`;

describe("mysql/mariadb: SQL the parameter compiler must leave alone, and MySQL types", () => {
  const table = uniqueName("sqlb_my");
  let db: SqlConnector;
  const gate = serverGate("mysql tests", async () => {
    registerDriver(mysqlPlugin);
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

  it("backtick identifiers, backslash escapes, double-quoted strings and # comments keep their colons and ?", async (context) => {
    gate(context);
    await db.execute(
      `CREATE TABLE ${table} (id INT PRIMARY KEY, \`a:b?\` VARCHAR(50), hits INT NOT NULL DEFAULT 0, big BIGINT, amount DECIMAL(30, 10), at DATETIME(3), day DATE, doc JSON, bytes BLOB, flag TINYINT(1))`,
    );
    await db.execute(`INSERT INTO ${table} (id, \`a:b?\`) VALUES (:id, :v)`, { id: 1, v: "x" });
    const rows = await db.fetchAll(
      `SELECT \`a:b?\` AS \`col:?\`, 'it\\'s :not ?' AS a, "dq :x ?" AS b, :y AS y # :z ?\n FROM ${table} WHERE \`a:b?\` = :v /* :c ? */`,
      { v: "x", y: "yes" },
    );
    expect(rows).toEqual([{ "col:?": "x", a: "it's :not ?", b: "dq :x ?", y: "yes" }]);
  });

  it("ON DUPLICATE KEY UPDATE: execute counts 1 per insert, 2 per update; executeMany upserts atomically", async (context) => {
    gate(context);
    const upsert = `INSERT INTO ${table} (id, \`a:b?\`) VALUES (:id, :v) ON DUPLICATE KEY UPDATE hits = hits + :inc`;
    expect((await db.execute(upsert, { id: 2, v: "two", inc: 1 })).rowCount).toBe(1);
    expect((await db.execute(upsert, { id: 2, v: "two", inc: 5 })).rowCount).toBe(2);
    const many = `INSERT INTO ${table} (id, \`a:b?\`) VALUES (:id, :v) ON DUPLICATE KEY UPDATE \`a:b?\` = VALUES(\`a:b?\`), hits = hits + 1`;
    const result = await db.executeMany(many, [
      { id: 2, v: "TWO" },
      { id: 3, v: "three" },
    ]);
    expect(result.rowCount).toBe(3);
    const rows = await db.fetchAll(`SELECT id, \`a:b?\` AS v, hits FROM ${table} WHERE id IN (:ids) ORDER BY id`, { ids: [2, 3] });
    expect(rows).toEqual([
      { id: 2, v: "TWO", hits: 6 },
      { id: 3, v: "three", hits: 0 },
    ]);
  });

  it("maps BIGINT and DECIMAL to strings, DATETIME and DATE to Date, JSON to objects, BLOB to Buffer", async (context) => {
    gate(context);
    const at = new Date(2024, 1, 29, 12, 34, 56, 789);
    await db.execute(
      `INSERT INTO ${table} (id, big, amount, at, day, doc, bytes, flag) VALUES (:id, :big, :amount, :at, :day, :doc, :bytes, :flag)`,
      {
        id: 10,
        big: 9007199254740993n,
        amount: "12345678901234567890.0123456789",
        at,
        day: "2024-02-29",
        doc: { a: [1, 2], b: { c: null } },
        bytes: Buffer.from([0, 1, 255]),
        flag: true,
      },
    );
    const row = (await db.execute(`SELECT big, amount, at, day, doc, bytes, flag, hits, \`a:b?\` AS nothing FROM ${table} WHERE id = :id`, { id: 10 }))
      .rows[0]!;
    expect(row).toEqual({
      big: "9007199254740993",
      amount: "12345678901234567890.0123456789",
      at,
      day: new Date(2024, 1, 29),
      doc: { a: [1, 2], b: { c: null } },
      bytes: Buffer.from([0, 1, 255]),
      flag: 1,
      hits: 0,
      nothing: null,
    });
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    // The cursor path (text protocol, streamed) maps the same way.
    expect(await db.fetchOne(`SELECT big, amount, at, day, doc, bytes, flag, hits, \`a:b?\` AS nothing FROM ${table} WHERE id = :id`, { id: 10 })).toEqual(row);
    await db.resetConnections();
  });

  it("UPDATE and DELETE report affected rows", async (context) => {
    gate(context);
    expect((await db.execute(`UPDATE ${table} SET hits = hits + 1 WHERE id IN (:ids)`, { ids: [2, 3, 999] })).rowCount).toBe(2);
    expect(await db.execute(`DELETE FROM ${table} WHERE id = :id`, { id: 10 })).toEqual({ rowCount: 1, rows: [] });
  });

  it("executeMany of an UPDATE reuses a prepared statement and names a failing set", async (context) => {
    gate(context);
    const updated = await db.executeMany(`UPDATE ${table} SET big = :big WHERE id = :id`, [
      { id: 2, big: "20" },
      { id: 3, big: 30n },
    ]);
    expect(updated.rowCount).toBe(2);
    const failure = await db
      .executeMany(`UPDATE ${table} SET hits = :hits WHERE id = :id`, [
        { id: 2, hits: 100 },
        { id: 3, hits: null },
      ])
      .catch((error: unknown) => error as DatabaseError);
    expect(failure).toBeInstanceOf(DatabaseError);
    expect(failure).toMatchObject({ index: 1, driverCode: "1048", transient: false });
    expect((await db.execute(`SELECT hits FROM ${table} WHERE id = 2`)).rows).toEqual([{ hits: 7 }]);
  });

  it("a duplicate key carries errno 1062 and is not transient", async (context) => {
    gate(context);
    const failure = await db.execute(`INSERT INTO ${table} (id) VALUES (:id)`, { id: 2 }).catch((e: unknown) => e);
    expect(failure).toMatchObject({ driverCode: "1062", transient: false });
  });

  it("a lock wait timeout is a transient error with errno 1205", async (context) => {
    gate(context);
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const holder = db.transaction(async (tx) => {
      await tx.execute(`UPDATE ${table} SET hits = hits WHERE id = 2`);
      locked();
      await held;
    });
    await isLocked;
    const failure = await db
      .transaction(async (tx) => {
        await tx.execute("SET SESSION innodb_lock_wait_timeout = 1");
        await tx.execute(`UPDATE ${table} SET hits = hits WHERE id = 2`);
      })
      .catch((error: unknown) => error);
    release();
    await holder;
    expect(failure).toMatchObject({ driverCode: "1205", transient: true });
  });

  it("a streaming cursor pauses the socket: memory stays flat, and closing mid-result frees the server", async (context) => {
    gate(context);
    const marker = uniqueName("sqlb_flat");
    const session = await db.getClient("connection");
    try {
      const cursor = (await session.openCursor(`${MILLION_ROWS} /* ${marker} */`)) as MysqlCursor;
      expect((await cursor.read(10)).length).toBe(10);
      await sleep(300);
      // The rest of the million rows wait on the server (TCP back-pressure), not in memory.
      expect(cursor.bufferedRows).toBeLessThanOrEqual(HIGH_WATER_ROWS);
      let total = 10;
      for (let i = 0; i < 20; i++) total += (await cursor.read(5000)).length;
      expect(total).toBe(100_010);
      expect(cursor.bufferedRows).toBeLessThanOrEqual(5000);
      await cursor.close();
    } finally {
      await session.release();
    }
    // Nothing of the abandoned result is left running on the server.
    let running = 1;
    for (let i = 0; i < 50 && running > 0; i++) {
      await sleep(20);
      // COUNT(*) is a BIGINT: a string, as documented.
      running = Number(
        (await db.execute("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO LIKE :pattern AND ID <> CONNECTION_ID()", { pattern: `%${marker}%` })).rows[0]!.n,
      );
    }
    expect(running).toBe(0);
    expect((await db.execute("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
  });

  it("fetchAll reads a whole large result through the cursor", async (context) => {
    gate(context);
    const sql = `${MILLION_ROWS} LIMIT :limit`;
    // Integer arithmetic is BIGINT in MySQL: strings, as documented.
    expect(await db.fetchMany(sql, { limit: 50_000 }, 2)).toEqual([{ n: "0" }, { n: "1" }]);
    const rest = await db.fetchAll(sql, { limit: 50_000 });
    expect(rest.length).toBe(49_998);
    expect(db.openCursorCount).toBe(0);
  });

  it("pool.acquireTimeoutMs fails a wait for a free connection with a transient error", async (context) => {
    gate(context);
    const small = new SqlConnector({ connectionInfo: url, pool: { max: 1, acquireTimeoutMs: 200 } });
    try {
      const held = await small.getClient("connection");
      const started = Date.now();
      const failure = await small.execute("SELECT 1").catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(PoolTimeoutError);
      expect(failure).toMatchObject({ code: "SQLBLOCKS_POOL_TIMEOUT", transient: true, poolMax: 1, timeoutMs: 200 });
      expect((failure as Error).message).toMatch(/pool\.max = 1\b.*within 200 ms: raise pool\.max or pool\.acquireTimeoutMs/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(150);
      await held.release();
      expect((await small.execute("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    } finally {
      await small.close();
    }
  });

  it("binds undefined (positional) as NULL and bigint exactly, in queries and prepared statements", async (context) => {
    gate(context);
    expect((await db.execute("SELECT ? AS a, CAST(? AS CHAR) AS b", [undefined, 2n ** 63n - 1n])).rows).toEqual([
      { a: null, b: "9223372036854775807" },
    ]);
    await db.executeMany(`UPDATE ${table} SET \`a:b?\` = ?, big = ? WHERE id = ?`, [[undefined, 2n ** 62n, 3]]);
    expect((await db.execute(`SELECT \`a:b?\` AS v, big FROM ${table} WHERE id = 3`)).rows).toEqual([{ v: null, big: String(2n ** 62n) }]);
  });

  it("a statement error inside a cursor surfaces on read and the connection stays usable", async (context) => {
    gate(context);
    await expect(db.fetchOne("SELECT * FROM no_such_table_sqlb")).rejects.toMatchObject({ driverCode: "1146", transient: false });
    expect(db.openCursorCount).toBe(0);
    expect((await db.execute("SELECT 2 AS two")).rows).toEqual([{ two: 2 }]);
  });
});
