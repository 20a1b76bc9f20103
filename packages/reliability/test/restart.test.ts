/**
 * Real server restarts (issue 17), on servers of the test's own (support/own-server.ts) so
 * the shared servers other suites use stay up:
 *
 * - restart under load: a flow with transient-only retries inserts 10,000 rows in small
 *   tasks while the server goes down three times (fast shutdown, immediate shutdown, SIGKILL
 *   of the postmaster / mariadbd). Idempotent keys ⇒ exactly 10,000 rows. A table without a
 *   unique key, with an attempt marker per batch ⇒ every batch committed once, except where
 *   an attempt failed at COMMIT (a lost acknowledgement: identified and counted);
 * - an open cursor and a stream across a restart fail as transient, the next call succeeds,
 *   and the pool holds no dead connection (the next N = pool size calls all succeed).
 */
import { randomUUID } from "node:crypto";
import { BlockStore, closeDefaultStores, DatabaseError, registerDriver, SqlConnector } from "@sqlblocks/core";
import mysqlPlugin from "@sqlblocks/driver-mysql";
import postgresPlugin from "@sqlblocks/driver-postgres";
import { configureRunHistory, configureRunLogging, flow, flushRunHistory, RunHistory, task } from "@sqlblocks/flow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sleep, tempDir } from "./support/env.js";
import { OwnMariaDB, OwnPostgres, type OwnServer, type StopMode } from "./support/own-server.js";

const ROWS = 10_000;
const BATCH = 50;
const POOL = 4;
const figures: string[] = [];
let store: BlockStore;

beforeAll(async () => {
  registerDriver(postgresPlugin);
  registerDriver(mysqlPlugin);
  store = await BlockStore.open({ home: tempDir("restart"), env: {} });
  configureRunHistory({ store });
  configureRunLogging({ console: false });
});

afterAll(async () => {
  await flushRunHistory();
  await store?.close();
  await closeDefaultStores();
  if (figures.length) console.log(figures.map((f) => `[restart] ${f}`).join("\n"));
});

const transientOnly = (error: unknown) => (error as { transient?: unknown }).transient === true;

const DIALECTS = [
  {
    name: "postgres",
    create: (): Promise<OwnServer> => OwnPostgres.create(),
    idempotentInsert: (t: string) => `INSERT INTO ${t} (id, batch) VALUES (:id, :batch) ON CONFLICT (id) DO NOTHING`,
    sleep: "SELECT pg_sleep(0.01)",
    series: (rows: number, pad = 0) => `SELECT g AS n, repeat('x', ${pad}) AS pad FROM generate_series(1, ${rows}) AS g ORDER BY g`,
  },
  {
    name: "mariadb",
    create: (): Promise<OwnServer> => OwnMariaDB.create(),
    idempotentInsert: (t: string) => `INSERT INTO ${t} (id, batch) VALUES (:id, :batch) ON DUPLICATE KEY UPDATE batch = VALUES(batch)`,
    sleep: "SELECT SLEEP(0.01)",
    series: (rows: number, pad = 0) => `SELECT seq AS n, REPEAT('x', ${pad}) AS pad FROM seq_1_to_${rows} ORDER BY seq`,
  },
] as const;

describe.each(DIALECTS)("$name restarts", (dialect) => {
  let server: OwnServer;

  beforeAll(async () => {
    server = await dialect.create();
  }, 120_000);

  afterAll(async () => {
    await server?.destroy();
  }, 60_000);

  it("a flow inserting 10,000 rows in small tasks survives fast, immediate and SIGKILL restarts: exactly 10,000 idempotent rows, each batch committed once", { timeout: 240_000 }, async () => {
    const setup = new SqlConnector({ connectionInfo: server.url, pool: { max: 1 } });
    await setup.execute("CREATE TABLE idem_rows (id INT PRIMARY KEY, batch INT NOT NULL)");
    await setup.execute("CREATE TABLE marked_rows (id INT NOT NULL, batch INT NOT NULL, attempt VARCHAR(64) NOT NULL)");
    await setup.close();

    const db = new SqlConnector({ connectionInfo: server.url, pool: { max: POOL }, connectTimeoutMs: 5_000 });
    const attempts = new Map<string, { batch: number; ok: boolean; atCommit: boolean; error?: string }>();
    let batchesDone = 0;
    const insertBatch = task({ name: "insert-batch", retries: 300, retryDelayMs: 50, retryCondition: transientOnly }, async (batch: number) => {
      const attempt = `${batch}:${randomUUID()}`;
      let bodyDone = false;
      const rows = Array.from({ length: BATCH }, (_, i) => ({ id: batch * BATCH + i, batch, attempt }));
      try {
        await db.transaction(async (tx) => {
          await tx.execute(dialect.sleep);
          await tx.executeMany(dialect.idempotentInsert("idem_rows"), rows);
          await tx.executeMany("INSERT INTO marked_rows (id, batch, attempt) VALUES (:id, :batch, :attempt)", rows);
          bodyDone = true;
        });
        attempts.set(attempt, { batch, ok: true, atCommit: false });
      } catch (error) {
        attempts.set(attempt, { batch, ok: false, atCommit: bodyDone, error: (error as { driverCode?: string; code?: string }).driverCode ?? (error as { code?: string }).code });
        throw error;
      }
      batchesDone++;
      return BATCH;
    });
    const batches = ROWS / BATCH;
    const load = flow({ name: `${dialect.name}-restart-load` }, async () =>
      (await insertBatch.map(Array.from({ length: batches }, (_, b) => b), { concurrency: POOL })).reduce((a, b) => a + b, 0),
    );

    let done = false;
    const running = load().finally(() => {
      done = true;
    });
    const restarts: string[] = [];
    try {
      for (const [i, mode] of (["fast", "immediate", "kill"] as StopMode[]).entries()) {
        // Restart after every 15% of the batches, so each one meets tasks in flight.
        while (batchesDone < (i + 1) * 0.15 * batches && !done) await sleep(20);
        expect(done, `the flow ended before the ${mode} restart`).toBe(false);
        const started = performance.now();
        await server.restart(mode);
        restarts.push(`${mode} ${Math.round(performance.now() - started)} ms at batch ${batchesDone}`);
      }
      expect(await running).toBe(ROWS);
    } finally {
      await running.catch(() => undefined);
    }

    const check = new SqlConnector({ connectionInfo: server.url, pool: { max: 1 } });
    try {
      const [idem] = (await check.execute<{ n: number; ids: number }>("SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS ids FROM idem_rows")).rows;
      expect([Number(idem!.n), Number(idem!.ids)]).toEqual([ROWS, ROWS]);

      const committed = (
        await check.execute<{ attempt: string; n: number; ids: number; lo: number; hi: number }>(
          "SELECT attempt, COUNT(*) AS n, COUNT(DISTINCT id) AS ids, MIN(id) AS lo, MAX(id) AS hi FROM marked_rows GROUP BY attempt",
        )
      ).rows;
      let lostAcks = 0;
      for (const c of committed) {
        const known = attempts.get(c.attempt);
        expect(known, `rows of an unknown attempt ${c.attempt}`).toBeDefined();
        expect([c.n, c.ids, c.lo, c.hi].map(Number)).toEqual([BATCH, BATCH, known!.batch * BATCH, known!.batch * BATCH + BATCH - 1]);
        if (!known!.ok) {
          expect(known!.atCommit, `attempt ${c.attempt} failed before COMMIT (${known!.error}), yet its rows are there`).toBe(true);
          lostAcks++;
        }
      }
      const committedIds = new Set(committed.map((c) => c.attempt));
      for (let batch = 0; batch < batches; batch++) {
        const succeeded = [...attempts].filter(([, a]) => a.batch === batch && a.ok).map(([id]) => id);
        expect(succeeded, `batch ${batch}`).toHaveLength(1);
        expect(committedIds.has(succeeded[0]!), `batch ${batch}: its successful attempt's rows`).toBe(true);
      }
      const [marked] = (await check.execute<{ n: number; ids: number }>("SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS ids FROM marked_rows")).rows;
      expect([Number(marked!.n), Number(marked!.ids)]).toEqual([ROWS + lostAcks * BATCH, ROWS]);

      await flushRunHistory();
      const [run] = await new RunHistory(store.db).listFlowRuns({ name: `${dialect.name}-restart-load` });
      expect(run?.state).toBe("COMPLETED");
      const failed = [...attempts.values()].filter((a) => !a.ok);
      // The restarts really hit running tasks, and every failure was retried.
      expect(failed.length).toBeGreaterThan(0);
      const codes = new Map<string, number>();
      for (const f of failed) codes.set(String(f.error), (codes.get(String(f.error)) ?? 0) + 1);
      figures.push(
        `${dialect.name}: ${ROWS} rows in ${batches} tasks across restarts (${restarts.join("; ")}); ${failed.length} failed attempts retried (${[...codes].map(([c, n]) => `${c} ×${n}`).join(", ")}); ${lostAcks} lost COMMIT acknowledgement(s); idempotent table exactly ${ROWS}`,
      );
    } finally {
      await check.close();
      await db.close();
    }
  });

  it("an open cursor and a stream across a restart fail as transient; the next call and the next N (pool size) calls succeed", { timeout: 120_000 }, async () => {
    const db = new SqlConnector({ connectionInfo: server.url, pool: { max: POOL }, connectTimeoutMs: 5_000 });
    const closers: (() => Promise<unknown>)[] = [];
    try {
      // Too big to have been sent whole before the server goes down (a result already in
      // the client's kernel buffers is complete): PostgreSQL's portal sends pages on demand;
      // MariaDB streams, so ~100 MB, far more than socket buffers hold.
      const big = dialect.name === "postgres" ? dialect.series(200_000) : dialect.series(1_000_000, 100);
      const page = async () => (await db.fetchMany<{ n: number | string }>(big, {}, 10)).map((r) => Number(r.n));
      expect(await page()).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));

      // A stream with its first chunk read.
      const stream = db.stream<{ n: number | string }>(big, {}, { chunkSize: 100 });
      const first = await stream.next();
      expect(first.done).toBe(false);
      closers.push(() => stream.return(undefined));

      await server.restart("fast");

      // The cursor: reading on (beyond what was read ahead) meets the dead connection.
      const cursorError = await db.fetchAll(big).catch((e: unknown) => e);
      expect(cursorError).toBeInstanceOf(DatabaseError);
      expect((cursorError as DatabaseError).transient).toBe(true);
      // The stream, the same.
      let streamError: unknown;
      try {
        for (let r = await stream.next(); !r.done; r = await stream.next()) {
          // drain: some chunks may have been read ahead before the restart
        }
      } catch (error) {
        streamError = error;
      }
      expect(streamError).toBeInstanceOf(DatabaseError);
      expect((streamError as DatabaseError).transient).toBe(true);

      // The next call succeeds.
      expect((await db.execute("SELECT 1 AS one")).rows.map((r) => Number(r.one))).toEqual([1]);
      // A new stream works, and the same fetchMany starts a fresh cursor from row 1: the
      // broken one is not handed out again (no resetConnections needed).
      let streamed = 0;
      for await (const chunk of db.stream(dialect.series(5000), {}, { chunkSize: 1000 })) streamed += chunk.length;
      expect(streamed).toBe(5000);
      expect(await page()).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));

      // No dead connection stays in the pool: after each kind of restart, the next N calls
      // (N = pool size, at once, no retry) all succeed.
      const outcomes: string[] = [];
      for (const mode of ["fast", "immediate", "kill"] as StopMode[]) {
        await Promise.all(Array.from({ length: POOL }, () => db.execute(dialect.sleep))); // fill the pool
        await server.restart(mode);
        const results = await Promise.allSettled(Array.from({ length: POOL }, () => db.execute("SELECT 1 AS one")));
        const failures = results.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason));
        expect(failures, `after a ${mode} restart`).toEqual([]);
        outcomes.push(`${mode}: ${POOL}/${POOL} ok`);
      }
      figures.push(`${dialect.name}: cursor and stream across a restart → transient, then fine; next ${POOL} calls after each restart: ${outcomes.join(", ")}`);
    } finally {
      // A stream left suspended would hold its connection, and close() waits for it.
      for (const close of closers) await close().catch(() => undefined);
      await db.close();
    }
  });
});
