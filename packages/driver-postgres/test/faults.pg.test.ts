import { describe, expect, it } from "vitest";
import { sleep, watchedConnector } from "./server.js";

/**
 * What pg's pool does with idle clients whose backends the server terminates. The calls that
 * meet killed connections (idle, in flight, under a cursor, a stream or a transaction) are in
 * the shared conformance suite (`@sqlblocks/testkit`'s faults module, run by
 * conformance.pg.test.ts); this file keeps only what is particular to pg-pool.
 */
describe("postgres: idle pooled clients terminated by the server", () => {
  const pg = watchedConnector("postgres fault tests", "sqlb_fault");

  /** Terminates every backend of the connector under test and waits until they are gone. */
  const terminateAll = async () => {
    await pg.admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :app", { app: pg.appName });
    for (let i = 0; i < 100 && (await pg.backends()).length > 0; i++) await sleep(20);
    // Let the client side read the termination notice.
    await sleep(50);
  };

  it("every idle client's error event is handled and the dead clients leave the pool; the next calls succeed", async (context) => {
    pg.gate(context);
    await Promise.all([pg.db.execute("SELECT pg_sleep(0.05)"), pg.db.execute("SELECT pg_sleep(0.05)"), pg.db.execute("SELECT 1")]);
    expect((await pg.backends()).length).toBeGreaterThan(0);
    const pool = ((await pg.db.getDataSource()).driver as unknown as { master: import("pg").Pool }).master;
    expect(pool.listenerCount("error")).toBeGreaterThan(0);
    expect(pool.idleCount).toBeGreaterThan(0);
    await terminateAll();
    // The pool saw its idle clients die (an `error` event, handled) and dropped them.
    expect(pool.totalCount).toBe(0);
    for (let i = 0; i < 3; i++) expect((await pg.db.execute("SELECT :i::int AS i", { i })).rows).toEqual([{ i }]);
  });
});
