import { registerDriver, SqlConnector } from "@sqlblocks/core";
import { uniqueName } from "@sqlblocks/testkit";
import { afterAll, describe, expect, it } from "vitest";
import postgresPlugin from "../src/index.js";
import { serverGate, sleep, withQuery } from "./server.js";

const url = process.env.SQLBLOCKS_TEST_PG_URL ?? "postgresql+pg://postgres@127.0.0.1:5432/test";

/**
 * What pg's pool does with idle clients whose backends the server terminates. The calls that
 * meet killed connections (idle, in flight, under a cursor, a stream or a transaction) are in
 * the shared conformance suite (`@sqlblocks/testkit`'s faults module, run by
 * conformance.pg.test.ts); this file keeps only what is particular to pg-pool.
 */
describe("postgres: idle pooled clients terminated by the server", () => {
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

  it("every idle client's error event is handled and the dead clients leave the pool; the next calls succeed", async (context) => {
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
});
