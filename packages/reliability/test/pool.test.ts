/**
 * More tasks than pooled connections (issue 17), on the shared servers:
 *
 * - 200 concurrent tasks on a connector with `pool.max = 5` all complete, and the server never
 *   sees more than 5 of its connections;
 * - with `pool.acquireTimeoutMs`, a call waiting for a connection fails in about that time
 *   with a typed, transient `PoolTimeoutError` that names the pool size, instead of hanging;
 * - a task that holds a transaction and calls another method of the same connector, with
 *   the pool's only connection taken, fails with the acquire timeout instead of hanging.
 */
import { isSqlBlocksError, registerDriver, SqlConnector } from "@sqlblocks/core";
import mysqlPlugin from "@sqlblocks/driver-mysql";
import postgresPlugin from "@sqlblocks/driver-postgres";
import { configureRunLogging, flow, task } from "@sqlblocks/flow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MYSQL_URL, PG_URL, serverGate, sleep, tempDir, uniqueName, withQuery } from "./support/env.js";

const home = tempDir("pool");
const figures: string[] = [];

beforeAll(() => {
  process.env.SQLBLOCKS_HOME = home;
  configureRunLogging({ console: false });
});

afterAll(() => {
  if (figures.length) console.log(figures.map((f) => `[pool] ${f}`).join("\n"));
});

const DIALECTS = [
  {
    name: "postgres",
    gate: serverGate("postgres pool tests", async () => {
      registerDriver(postgresPlugin);
      const probe = new SqlConnector({ connectionInfo: PG_URL, pool: { max: 1 } });
      await probe.execute("SELECT 1").finally(() => probe.close());
    }),
    url: (tag: string) => withQuery(PG_URL, "application_name", tag),
    admin: () => PG_URL,
    count: "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = :tag",
    sleep: (s: number) => `SELECT pg_sleep(${s})::text`,
  },
  {
    name: "mariadb",
    gate: serverGate("mysql pool tests", async () => {
      registerDriver(mysqlPlugin);
      const probe = new SqlConnector({ connectionInfo: MYSQL_URL, pool: { max: 1 } });
      await probe.execute("SELECT 1").finally(() => probe.close());
    }),
    // Counted by the statements that carry the tag (busy connections).
    url: (_tag: string) => MYSQL_URL,
    admin: () => MYSQL_URL,
    count: "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO LIKE CONCAT('%', :tag, '%') AND ID <> CONNECTION_ID()",
    sleep: (s: number) => `SELECT SLEEP(${s})`,
  },
] as const;

describe.each(DIALECTS)("$name: pool exhaustion", (dialect) => {
  it("200 concurrent tasks on pool.max = 5 all complete; never more than 5 connections busy on the server", { timeout: 180_000 }, async (context) => {
    dialect.gate(context);
    const tag = uniqueName("sqlb_pool");
    const db = new SqlConnector({ connectionInfo: dialect.url(tag), pool: { max: 5 } });
    const admin = new SqlConnector({ connectionInfo: dialect.admin(), pool: { max: 1 } });
    try {
      const work = task({ name: "pooled" }, async (i: number) => {
        // The tag is in the statement, so the processlist shows which connections are ours.
        const { rows } = await db.execute<{ i: number | string }>(`${dialect.sleep(0.02)} AS s, :i AS i, '${tag}' AS tag`, { i });
        return Number(rows[0]!.i);
      });
      let peak = 0;
      let done = false;
      const sampler = (async () => {
        while (!done) {
          peak = Math.max(peak, Number((await admin.execute<{ n: number | string }>(dialect.count, { tag })).rows[0]!.n));
          await sleep(10);
        }
      })();
      const started = performance.now();
      const results = await flow({ name: `pool-200-${dialect.name}` }, async () => Promise.all(Array.from({ length: 200 }, (_, i) => work(i))))().finally(() => {
        done = true;
      });
      await sampler;
      expect(results).toEqual(Array.from({ length: 200 }, (_, i) => i));
      expect(peak).toBeGreaterThan(0);
      expect(peak).toBeLessThanOrEqual(5);
      figures.push(`${dialect.name}: 200 tasks on pool.max 5 in ${Math.round(performance.now() - started)} ms, at most ${peak} connections busy on the server`);
    } finally {
      await db.close();
      await admin.close();
    }
  });

  it("with acquireTimeoutMs, a call waiting for a connection fails in about that time with a typed, transient error", { timeout: 60_000 }, async (context) => {
    dialect.gate(context);
    const db = new SqlConnector({ connectionInfo: dialect.url(uniqueName("sqlb_pool")), pool: { max: 2, acquireTimeoutMs: 300 } });
    try {
      const holders = [db.execute(dialect.sleep(1.5)), db.execute(dialect.sleep(1.5))];
      await sleep(200);
      const started = performance.now();
      const error = await db.execute("SELECT 1").catch((e: unknown) => e);
      const waited = performance.now() - started;
      expect(isSqlBlocksError(error), String(error)).toBe(true);
      expect((error as { transient?: boolean }).transient).toBe(true);
      expect(waited).toBeLessThan(1_200); // well before the holders free a connection
      await Promise.all(holders);
      // The pool works again once connections are free.
      expect((await db.execute("SELECT 1 AS one")).rows.map((r) => Number(r.one))).toEqual([1]);
      figures.push(`${dialect.name}: acquire timeout 300 ms → ${(error as Error).name} after ${Math.round(waited)} ms: ${(error as Error).message.split(" — ")[0]}`);
    } finally {
      await db.close();
    }
  });

  it("the acquire-timeout error is a PoolTimeoutError that names the pool size", { timeout: 60_000 }, async (context) => {
    dialect.gate(context);
    const db = new SqlConnector({ connectionInfo: dialect.url(uniqueName("sqlb_pool")), pool: { max: 2, acquireTimeoutMs: 300 } });
    try {
      const holders = [db.execute(dialect.sleep(1)), db.execute(dialect.sleep(1))];
      await sleep(200);
      const error = await db.execute("SELECT 1").catch((e: unknown) => e);
      await Promise.all(holders);
      expect((error as Error).name).toBe("PoolTimeoutError");
      expect((error as { code?: string }).code).toBe("SQLBLOCKS_POOL_TIMEOUT");
      expect((error as { transient?: boolean }).transient).toBe(true);
      expect((error as Error).message).toMatch(/pool\.max = 2\b.*300 ms/);
    } finally {
      await db.close();
    }
  });

  it("a transaction that calls another method of the same connector, pool.max = 1: fails with the acquire timeout, no hang", { timeout: 60_000 }, async (context) => {
    dialect.gate(context);
    const db = new SqlConnector({ connectionInfo: dialect.url(uniqueName("sqlb_pool")), pool: { max: 1, acquireTimeoutMs: 500 } });
    try {
      const started = performance.now();
      const outcome = await db
        .transaction(async (tx) => {
          await tx.execute("SELECT 1");
          return await db.execute("SELECT 2 AS two");
        })
        .catch((e: unknown) => e);
      const waited = performance.now() - started;
      expect(isSqlBlocksError(outcome), String(outcome)).toBe(true);
      expect((outcome as { transient?: boolean }).transient).toBe(true);
      expect(waited).toBeLessThan(5_000);
      // The transaction's connection went back: the connector works.
      expect((await db.execute("SELECT 3 AS three")).rows.map((r) => Number(r.three))).toEqual([3]);
      figures.push(`${dialect.name}: nested call in a transaction on pool.max 1 → ${(outcome as Error).name} after ${Math.round(waited)} ms`);
    } finally {
      await db.close();
    }
  });
});
