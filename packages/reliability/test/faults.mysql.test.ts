/**
 * Faults on MariaDB (and MySQL). The server is shared with other test suites, so it is
 * never restarted: `KILL <connection>` of the connections under test — what a restart does
 * to every client — stands in for a restart. The connections under test log in as a user of
 * their own, so only they are killed.
 *
 * - a flow whose tasks retry only transient errors completes with exactly the expected rows
 *   while its connections keep being killed;
 * - an executeMany interrupted by a killed connection leaves none or all of its rows;
 * - cursors whose connections died: resetConnections recovers them, without hanging.
 */
import { randomBytes } from "node:crypto";
import { BlockStore, closeDefaultStores, DatabaseError, parseConnectionUrl, registerDriver, SqlConnector } from "@sqlblocks/core";
import mysqlPlugin from "@sqlblocks/driver-mysql";
import { configureRunHistory, configureRunLogging, flow, flushRunHistory, RunHistory, task } from "@sqlblocks/flow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MYSQL_URL, serverGate, sleep, tempDir, uniqueName } from "./support/env.js";

const home = tempDir("faults-mysql");
const target = parseConnectionUrl(MYSQL_URL);
const database = target.database ?? "test";
const user = uniqueName("sqlb_fault");
const password = randomBytes(12).toString("hex");
const userUrl = `mariadb+mysql2://${user}:${password}@${target.host ?? "127.0.0.1"}:${target.port ?? 3306}/${database}`;
let admin: SqlConnector | undefined;
let store: BlockStore;
const tables: string[] = [];
const figures: string[] = [];

const gate = serverGate("mysql fault tests", async () => {
  registerDriver(mysqlPlugin);
  admin = new SqlConnector({ connectionInfo: MYSQL_URL, pool: { max: 2 } });
  await admin.execute("SELECT 1");
  for (const from of ["%", "localhost"]) {
    await admin.execute(`CREATE USER '${user}'@'${from}' IDENTIFIED BY '${password}'`);
    await admin.execute(`GRANT ALL ON \`${database}\`.* TO '${user}'@'${from}'`);
  }
});

beforeAll(async () => {
  store = await BlockStore.open({ home, env: {} });
  configureRunHistory({ store });
  configureRunLogging({ console: false });
});

afterAll(async () => {
  if (admin) {
    for (const table of tables) await admin.execute(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    for (const from of ["%", "localhost"]) await admin.execute(`DROP USER IF EXISTS '${user}'@'${from}'`).catch(() => undefined);
    await admin.close();
  }
  await flushRunHistory();
  await store?.close();
  await closeDefaultStores();
  if (figures.length) console.log(figures.map((f) => `[faults:mysql] ${f}`).join("\n"));
});

async function createTable(prefix: string, columns: string): Promise<string> {
  const table = uniqueName(prefix);
  tables.push(table);
  await admin!.execute(`CREATE TABLE ${table} (${columns}) ENGINE=InnoDB`);
  return table;
}

/** The connections of the test user, with what they are doing. */
async function connections(): Promise<{ id: number; command: string; info: string | null }[]> {
  const rows = (await admin!.execute<{ id: number; command: string; info: string | null }>(
    "SELECT ID AS id, COMMAND AS command, INFO AS info FROM information_schema.PROCESSLIST WHERE USER = :user",
    { user },
  )).rows;
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** Kills the test user's connections that match `filter`; returns how many. */
async function kill(filter: (c: { command: string; info: string | null }) => boolean = () => true): Promise<number> {
  const ids = (await connections()).filter(filter).map((c) => c.id);
  for (const id of ids) await admin!.execute(`KILL ${id}`).catch(() => undefined);
  return ids.length;
}

describe("mysql faults: a flow while its connections are killed", () => {
  it("tasks retrying only transient errors complete the flow with exactly the expected rows", async (context) => {
    gate(context);
    const table = await createTable("rel_flow_rows", "id INT PRIMARY KEY, batch INT NOT NULL");
    await new SqlConnector({ connectionInfo: userUrl, pool: { max: 2 } }).save("mysql-faulty", { store });
    const BATCHES = 16;
    const ROWS = 250;
    const retryCondition = (error: unknown) => (error as { transient?: unknown }).transient === true;
    const insertBatch = task({ name: "insert-batch", retries: 10, retryDelayMs: 20, retryCondition }, async (batch: number) => {
      const db = await SqlConnector.load("mysql-faulty", { store });
      try {
        // Idempotent by design (the commit of a killed session may or may not have landed).
        await db.transaction(async (tx) => {
          await tx.execute("SELECT SLEEP(0.04)");
          await tx.executeMany(
            `INSERT INTO ${table} (id, batch) VALUES (:id, :batch) ON DUPLICATE KEY UPDATE batch = VALUES(batch)`,
            Array.from({ length: ROWS }, (_, i) => ({ id: batch * ROWS + i, batch })),
          );
        });
      } finally {
        await db.close();
      }
      return ROWS;
    });
    const load = flow({ name: "mysql-load-under-kills" }, async () =>
      (await insertBatch.map(Array.from({ length: BATCHES }, (_, b) => b), { concurrency: 3 })).reduce((a, b) => a + b, 0),
    );
    let kills = 0;
    let done = false;
    const running = load().finally(() => {
      done = true;
    });
    for (let round = 0; round < 8 && !done; round++) {
      await sleep(120);
      if (!done) kills += await kill();
    }
    expect(await running).toBe(BATCHES * ROWS);
    const total = BATCHES * ROWS;
    const [row] = (await admin!.execute<{ n: number; distinct_ids: number; total: string }>(
      `SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS distinct_ids, SUM(id) AS total FROM ${table}`,
    )).rows;
    expect([Number(row!.n), Number(row!.distinct_ids), Number(row!.total)]).toEqual([total, total, (total * (total - 1)) / 2]);

    await flushRunHistory();
    const history = new RunHistory(store.db);
    const [run] = await history.listFlowRuns({ name: "mysql-load-under-kills" });
    expect(run?.state).toBe("COMPLETED");
    const tasks = await history.listTaskRuns(run!.id);
    expect(tasks.every((t) => t.state === "COMPLETED")).toBe(true);
    const retried = tasks.filter((t) => t.attempts > 1);
    expect(kills).toBeGreaterThan(0);
    expect(retried.length).toBeGreaterThan(0);
    figures.push(
      `flow under kills: ${kills} connections killed, ${retried.length}/${BATCHES} tasks retried (${tasks.reduce((a, t) => a + t.attempts, 0) - BATCHES} retries), ${total} rows exactly`,
    );
  }, 60_000);
});

describe("mysql faults: a COMMIT on a killed connection", () => {
  it("is a transient DatabaseError (so it is retried); the callback's own errors pass through", async (context) => {
    gate(context);
    const db = new SqlConnector({ connectionInfo: userUrl, pool: { max: 1 } });
    try {
      const error = await db
        .transaction(async (tx) => {
          await tx.execute("SELECT 1");
          await kill();
          await sleep(50);
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatabaseError);
      expect((error as DatabaseError).transient).toBe(true);
      const own = new Error("rolled back on purpose");
      expect(await db.transaction(async () => Promise.reject(own)).catch((e: unknown) => e)).toBe(own);
      expect((await db.execute("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });
});

describe("mysql faults: executeMany interrupted by a killed connection", () => {
  const cases = [
    { path: "multi-row INSERT batches", sql: (t: string) => `INSERT INTO ${t} (id, payload) VALUES (:id, :payload)`, rows: 60_000 },
    { path: "one statement per set", sql: (t: string) => `INSERT INTO ${t} (id, payload) SELECT :id, :payload`, rows: 3_000 },
  ];

  it.for(cases)("$path: none or all of the rows, never some", { timeout: 60_000 }, async ({ path, sql, rows }, context) => {
    gate(context);
    const table = await createTable("rel_many", "id INT PRIMARY KEY, payload VARCHAR(64) NOT NULL");
    const outcomes: string[] = [];
    for (const delay of [0, 20, 60, 150]) {
      const db = new SqlConnector({ connectionInfo: userUrl, pool: { max: 1 } });
      try {
        await db.execute("SELECT 1");
        await admin!.execute(`TRUNCATE TABLE ${table}`);
        const params = Array.from({ length: rows }, (_, id) => ({ id, payload: `row-${id}-${"x".repeat(20)}` }));
        let finished = false;
        const running = db.executeMany(sql(table), params).then(
          (result) => ({ result }),
          (error: unknown) => ({ error }),
        );
        void running.then(() => {
          finished = true;
        });
        // Wait until the batch is running on the server, then kill it.
        while (!finished && !(await connections()).some((c) => c.info?.includes(table))) await sleep(2);
        await sleep(delay);
        const killed = finished ? 0 : await kill();
        const outcome = await running;
        const count = Number((await admin!.execute<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0]!.n);
        if ("error" in outcome) {
          expect(outcome.error).toBeInstanceOf(DatabaseError);
          expect((outcome.error as DatabaseError).transient).toBe(true);
        }
        expect([0, rows], `${path}: ${count} rows after a kill ${delay} ms in`).toContain(count);
        outcomes.push(`${killed ? "killed" : "not killed"} at +${delay} ms → ${"error" in outcome ? "error" : "ok"}, ${count === 0 ? "none" : "all"}`);
      } finally {
        await db.close();
      }
    }
    expect(outcomes.some((o) => o.startsWith("killed") && o.includes("error, none"))).toBe(true);
    figures.push(`executeMany (${path}, ${rows} sets): ${outcomes.join("; ")}`);
  });
});

describe("mysql faults: cursors whose connections died", () => {
  const SQL = (offset: number) =>
    `SELECT a.d + 10 * b.d + 100 * c.d + ${offset} AS n FROM ${["a", "b", "c"].map((t) => `(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) ${t}`).join(", ")} ORDER BY n`;

  it("resetConnections right after the kill neither hangs nor fails, and every cursor starts again from row 1", async (context) => {
    gate(context);
    const db = new SqlConnector({ connectionInfo: userUrl, pool: { max: 3 } });
    try {
      // BIGINT arithmetic comes back as strings from mysql2: compare numbers.
      const page = async (offset: number, size: number) => (await db.fetchMany<{ n: string }>(SQL(offset), {}, size)).map((r) => Number(r.n));
      expect(await page(0, 2)).toEqual([0, 1]);
      expect(await page(5000, 3)).toEqual([5000, 5001, 5002]);
      expect(db.openCursorCount).toBe(2);
      expect(await kill()).toBeGreaterThanOrEqual(2);
      await sleep(50);
      const started = performance.now();
      await db.resetConnections();
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(db.openCursorCount).toBe(0);
      expect(await page(0, 2)).toEqual([0, 1]);
      expect(await page(5000, 2)).toEqual([5000, 5001]);
      expect((await db.execute("SELECT 42 AS answer")).rows).toEqual([{ answer: 42 }]);
      // A cursor read after its connection was killed fails as transient, or (rows already
      // buffered) still answers correctly; either way the next reset recovers.
      await kill();
      await sleep(50);
      const next = await db.fetchAll<{ n: string }>(SQL(0)).catch((error: unknown) => error);
      if (next instanceof Error) {
        expect(next).toBeInstanceOf(DatabaseError);
        expect((next as DatabaseError).transient).toBe(true);
      } else {
        expect((next as { n: string }[]).map((r) => Number(r.n))).toEqual(Array.from({ length: 998 }, (_, i) => i + 2));
      }
      await db.resetConnections();
      expect((await db.fetchAll(SQL(0))).length).toBe(1000);
    } finally {
      await db.close();
    }
  }, 30_000);
});
