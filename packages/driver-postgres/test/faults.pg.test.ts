import { DatabaseError, registerDriver, SqlConnector } from "@sqlblocks/core";
import { uniqueName } from "@sqlblocks/testkit";
import { afterAll, describe, expect, it } from "vitest";
import postgresPlugin from "../src/index.js";
import { serverGate, sleep, withQuery } from "./server.js";

const url = process.env.SQLBLOCKS_TEST_PG_URL ?? "postgresql+pg://postgres@127.0.0.1:5432/test";

/**
 * Backends killed under the pool's feet: the call in flight fails with a transient error,
 * the next call succeeds, and nothing crashes the process (an unhandled `error` event
 * would fail the run).
 */
describe("postgres: backends terminated by the server", () => {
  const appName = uniqueName("sqlb_fault");
  let db: SqlConnector;
  let admin: SqlConnector;
  const gate = serverGate("postgres fault tests", async () => {
    registerDriver(postgresPlugin);
    db = new SqlConnector({ connectionInfo: withQuery(url, "application_name", appName), pool: { max: 3 } });
    admin = new SqlConnector({ connectionInfo: url, pool: { max: 1 } });
    await admin.execute("SELECT 1");
  });
  afterAll(async () => {
    await db?.close();
    await admin?.close();
  });

  const backends = async () =>
    // execute, not fetchAll: a fetch of the same (sql, params) stays exhausted until reset.
    (await admin.execute<{ pid: number; state: string }>("SELECT pid, state FROM pg_stat_activity WHERE application_name = :app", { app: appName })).rows;

  /** Terminates every backend of the connector under test and waits until they are gone. */
  const terminateAll = async () => {
    await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :app", { app: appName });
    for (let i = 0; i < 100 && (await backends()).length > 0; i++) await sleep(20);
    // Let the client side read the termination notice.
    await sleep(50);
  };

  it("an idle pooled connection killed by the server is replaced; the next call succeeds", async (context) => {
    gate(context);
    await Promise.all([db.execute("SELECT pg_sleep(0.05)"), db.execute("SELECT pg_sleep(0.05)"), db.execute("SELECT 1")]);
    expect((await backends()).length).toBeGreaterThan(0);
    const pool = ((await db.getDataSource()).driver as unknown as { master: import("pg").Pool }).master;
    expect(pool.listenerCount("error")).toBeGreaterThan(0);
    expect(pool.idleCount).toBeGreaterThan(0);
    await terminateAll();
    // The pool saw its idle clients die (an `error` event, handled) and dropped them.
    expect(pool.totalCount).toBe(0);
    for (let i = 0; i < 3; i++) expect((await db.execute("SELECT :i::int AS i", { i })).rows).toEqual([{ i }]);
  });

  it("a statement in flight when its backend is killed fails as transient; the next call succeeds", async (context) => {
    gate(context);
    const running = db.execute("SELECT pg_sleep(30)").then(
      () => undefined,
      (error: unknown) => error,
    );
    for (let i = 0; i < 100 && !(await backends()).some((b) => b.state === "active"); i++) await sleep(20);
    await terminateAll();
    const failure = (await running) as DatabaseError;
    expect(failure).toBeInstanceOf(DatabaseError);
    expect(failure.transient).toBe(true);
    expect(failure.driverCode).toBe("57P01");
    expect(await db.fetchAll("SELECT 2 AS two")).toEqual([{ two: 2 }]);
  });

  it("an open fetch cursor whose backend is killed fails as transient; the next fetch starts afresh", async (context) => {
    gate(context);
    const sql = "SELECT g AS n FROM generate_series(1, 100) AS g ORDER BY g";
    expect(await db.fetchMany(sql, {}, 2)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(db.openCursorCount).toBe(1);
    await terminateAll();
    const failure = (await db.fetchMany(sql, {}, 2).catch((error: unknown) => error)) as DatabaseError;
    expect(failure).toBeInstanceOf(DatabaseError);
    expect(failure.transient).toBe(true);
    expect(db.openCursorCount).toBe(0);
    expect(await db.fetchMany(sql, {}, 2)).toEqual([{ n: 1 }, { n: 2 }]);
    await db.resetConnections();
    expect(await db.fetchAll("SELECT 3 AS three")).toEqual([{ three: 3 }]);
  });

  it("a stream whose backend is killed mid-way fails as transient and releases its connection", async (context) => {
    gate(context);
    const seen: number[] = [];
    const failure = await (async () => {
      for await (const chunk of db.stream<{ n: number }>("SELECT g AS n FROM generate_series(1, 1000) AS g", {}, { chunkSize: 10 })) {
        seen.push(...chunk.map((row) => row.n));
        if (seen.length === 10) await terminateAll();
      }
    })().catch((error: unknown) => error);
    expect(seen.length).toBe(10);
    expect(failure).toBeInstanceOf(DatabaseError);
    expect((failure as DatabaseError).transient).toBe(true);
    expect(await db.fetchAll("SELECT 4 AS four")).toEqual([{ four: 4 }]);
  });

  it("a transaction whose backend is killed rolls back as transient; the next one commits", async (context) => {
    gate(context);
    const table = uniqueName("sqlb_fault_tx");
    await admin.execute(`CREATE TABLE ${table} (id int PRIMARY KEY, note text)`);
    try {
      const failure = await db
        .transaction(async (tx) => {
          await tx.execute(`INSERT INTO ${table} (id, note) VALUES (:id, :note)`, { id: 1, note: "before the kill" });
          // Visible inside the transaction, so the insert really ran on this backend.
          expect((await tx.execute(`SELECT COUNT(*)::int AS n FROM ${table}`)).rows).toEqual([{ n: 1 }]);
          await terminateAll();
          await tx.execute("SELECT 2");
        })
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(DatabaseError);
      expect((failure as DatabaseError).transient).toBe(true);
      // The row inserted before the kill is gone: the transaction rolled back.
      expect((await admin.execute(`SELECT COUNT(*)::int AS n FROM ${table}`)).rows).toEqual([{ n: 0 }]);
      expect(await db.transaction(async (tx) => (await tx.fetchAll("SELECT 5 AS five"))[0])).toEqual({ five: 5 });
      await db.transaction((tx) => tx.execute(`INSERT INTO ${table} (id, note) VALUES (2, 'after')`));
      expect((await admin.execute(`SELECT id FROM ${table}`)).rows).toEqual([{ id: 2 }]);
    } finally {
      await admin.execute(`DROP TABLE IF EXISTS ${table}`);
    }
  });
});
