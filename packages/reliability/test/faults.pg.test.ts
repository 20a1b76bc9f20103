
import { BlockStore, closeDefaultStores, DatabaseError, registerDriver, SqlConnector } from "@sqlblocks/core";
import postgresPlugin from "@sqlblocks/driver-postgres";
import { configureRunHistory, configureRunLogging, flow, flushRunHistory, task } from "@sqlblocks/flow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PG_URL, serverGate, sleep, tempDir, uniqueName, withQuery } from "./support/env.js";
import { describeFlowUnderKills, executeManyUnderKills, flowUnderKills } from "./support/kill-scenarios.js";

const home = tempDir("faults-pg");
let admin: SqlConnector;
let store: BlockStore;
const tables: string[] = [];
const figures: string[] = [];

const gate = serverGate("postgres fault tests", async () => {
  registerDriver(postgresPlugin);
  admin = new SqlConnector({ connectionInfo: PG_URL, pool: { max: 2 } });
  await admin.execute("SELECT 1");
});

beforeAll(async () => {
  store = await BlockStore.open({ home, env: {} });
  configureRunHistory({ store });
  configureRunLogging({ console: false });
});

afterAll(async () => {
  for (const table of tables) await admin?.execute(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
  await admin?.close();
  await flushRunHistory();
  await store?.close();
  await closeDefaultStores();
  if (figures.length) console.log(figures.map((f) => `[faults:pg] ${f}`).join("\n"));
});

async function createTable(prefix: string, columns: string): Promise<string> {
  const table = uniqueName(prefix);
  tables.push(table);
  await admin.execute(`CREATE TABLE ${table} (${columns})`);
  return table;
}

/** Backends of connections that carry `appName`, with what they are doing. */
async function backends(appName: string): Promise<{ pid: number; state: string; in_tx: boolean }[]> {
  return (
    await admin.execute<{ pid: number; state: string; in_tx: boolean }>(
      "SELECT pid, state, xact_start IS NOT NULL AS in_tx FROM pg_stat_activity WHERE application_name = :app",
      { app: appName },
    )
  ).rows;
}

/** Terminates the backends of `appName` that match `filter`; returns how many were killed. */
async function terminate(appName: string, filter: (b: { state: string; in_tx: boolean }) => boolean = () => true): Promise<number> {
  const pids = (await backends(appName)).filter(filter).map((b) => b.pid);
  for (const pid of pids) await admin.execute("SELECT pg_terminate_backend(:pid::int)", { pid });
  return pids.length;
}

/**
 * Terminates every backend of `appName` and says what each was running at that moment: the
 * statement is read and the backend signalled in one row of one query, so "it was running
 * COMMIT" is what the server saw when the kill was sent.
 */
async function terminateNoting(appName: string): Promise<{ state: string; query: string }[]> {
  return (
    await admin.execute<{ state: string; query: string; killed: boolean }>(
      "SELECT state, query, pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE application_name = :app",
      { app: appName },
    )
  ).rows;
}

const isCommit = (query: string | null | undefined) => /^\s*COMMIT\b/i.test(query ?? "");

describe("postgres faults: a flow while its connections are killed", () => {
  it("tasks retrying only transient errors commit every batch exactly once (lost COMMIT acknowledgements identified)", async (context) => {
    gate(context);
    const appName = uniqueName("sqlb_rel_flow");
    // No unique key: a batch applied twice stays visible as two attempts' rows.
    const table = await createTable("rel_flow_rows", "id int NOT NULL, batch int NOT NULL, attempt text NOT NULL");
    await new SqlConnector({ connectionInfo: withQuery(PG_URL, "application_name", appName), pool: { max: 2 } }).save("pg-faulty", { store });
    const outcome = await flowUnderKills({
      flowName: "load-under-kills",
      blockName: "pg-faulty",
      store,
      admin,
      table,
      sleepSql: "SELECT pg_sleep(0.04)",
      kill: () => terminate(appName),
    });
    figures.push(describeFlowUnderKills(outcome, "backends"));
  }, 60_000);

  it("a COMMIT that fails because the backend was killed is a transient DatabaseError (so it is retried)", async (context) => {
    gate(context);
    const appName = uniqueName("sqlb_rel_commit");
    const db = new SqlConnector({ connectionInfo: withQuery(PG_URL, "application_name", appName), pool: { max: 1 } });
    try {
      const error = await db
        .transaction(async (tx) => {
          await tx.execute("SELECT 1");
          // The callback succeeds; its COMMIT meets a dead backend.
          await terminate(appName);
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatabaseError);
      expect((error as DatabaseError).transient).toBe(true);
      // The callback's own errors still pass through unchanged.
      const own = new Error("rolled back on purpose");
      expect(await db.transaction(async () => Promise.reject(own)).catch((e: unknown) => e)).toBe(own);
      expect((await db.execute("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });

  it("a non-transient error is not retried under the same condition", async (context) => {
    gate(context);
    let attempts = 0;
    const broken = task({ name: "broken-sql", retries: 5, retryCondition: (e) => (e as { transient?: unknown }).transient === true }, async () => {
      attempts++;
      await admin.execute("SELEC 1");
    });
    const error = await flow("non-transient", async () => broken())().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as DatabaseError).transient).toBe(false);
    expect((error as DatabaseError).driverCode).toBe("42601");
    expect(attempts).toBe(1);
  });
});

describe("postgres faults: executeMany interrupted by a killed connection", () => {
  const cases = [
    { path: "multi-row INSERT batches", sql: (t: string) => `INSERT INTO ${t} (id, payload) VALUES (:id, :payload)`, rows: 60_000 },
    { path: "one prepared statement per set", sql: (t: string) => `INSERT INTO ${t} (id, payload) SELECT :id, :payload`, rows: 4_000 },
  ];

  it.for(cases)("$path: success ⇒ all rows; error ⇒ none, or all only when the kill hit COMMIT", { timeout: 180_000 }, async ({ path, sql, rows }, context) => {
    gate(context);
    // No unique key, so nothing can absorb a set applied twice.
    const table = await createTable("rel_many", "id int NOT NULL, payload text NOT NULL");
    figures.push(
      await executeManyUnderKills({
        admin,
        table,
        path,
        sql: sql(table),
        rows,
        round: () => {
          const appName = uniqueName("sqlb_rel_many");
          return {
            db: new SqlConnector({ connectionInfo: withQuery(PG_URL, "application_name", appName), pool: { max: 1 } }),
            // Wait until the batch's transaction is open on the server.
            waitUntilRunning: async (finished) => {
              while (!finished() && !(await backends(appName)).some((b) => b.in_tx)) await sleep(2);
            },
            killNoting: async () =>
              (await terminateNoting(appName)).map((k) => ({
                described: `${k.state}: ${k.query.slice(0, 30)}`,
                atCommit: isCommit(k.query) && k.state === "active",
              })),
          };
        },
      }),
    );
  });
});

describe("postgres faults: cursors whose connection died", () => {
  const SQL = (offset: number) => `SELECT g + ${offset} AS n FROM generate_series(1, 1000) AS g ORDER BY g`;

  it("several open cursors all fail as transient, then resetConnections recovers every one", async (context) => {
    gate(context);
    const appName = uniqueName("sqlb_rel_cursor");
    const db = new SqlConnector({ connectionInfo: withQuery(PG_URL, "application_name", appName), pool: { max: 4 } });
    try {
      for (const [i, size] of [2, 5, 7].entries()) expect(await db.fetchMany(SQL(i * 1000), {}, size)).toHaveLength(size);
      expect(db.openCursorCount).toBe(3);
      expect(await terminate(appName)).toBe(3);
      // Rows read ahead before the kill may still be handed out; reading on reaches the break.
      for (let i = 0; i < 3; i++) {
        const error = await db.fetchAll(SQL(i * 1000)).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DatabaseError);
        expect((error as DatabaseError).transient).toBe(true);
      }
      await db.resetConnections();
      expect(db.openCursorCount).toBe(0);
      for (let i = 0; i < 3; i++) expect(await db.fetchMany(SQL(i * 1000), {}, 2)).toEqual([{ n: i * 1000 + 1 }, { n: i * 1000 + 2 }]);
      expect((await db.fetchAll(SQL(0))).length).toBe(998);
    } finally {
      await db.close();
    }
  }, 30_000);

  it("resetConnections right after the kill (before any read notices) neither hangs nor fails", { timeout: 45_000 }, async (context) => {
    gate(context);
    const appName = uniqueName("sqlb_rel_reset");
    const db = new SqlConnector({ connectionInfo: withQuery(PG_URL, "application_name", appName), pool: { max: 3 } });
    try {
      await db.fetchMany(SQL(0), {}, 3);
      await db.fetchMany(SQL(5000), {}, 3);
      await terminate(appName);
      const started = performance.now();
      await db.resetConnections();
      // Usually a few ms. Seen once under load (not reproduced alone): a reset racing the
      // termination waited for driver-postgres's 10 s cursor-close timeout (CLOSE_TIMEOUT_MS)
      // before giving the connection up. Bounded, so not a hang; reported.
      expect(performance.now() - started).toBeLessThan(15_000);
      expect(db.openCursorCount).toBe(0);
      expect(await db.fetchMany(SQL(0), {}, 2)).toEqual([{ n: 1 }, { n: 2 }]);
      expect((await db.execute("SELECT 42 AS answer")).rows).toEqual([{ answer: 42 }]);
      // A flow-style retry: a task that pages with a cursor and is retried on transient errors.
      let attempts = 0;
      const page = task({ name: "page", retries: 3, retryCondition: (e) => (e as { transient?: unknown }).transient === true }, async () => {
        attempts++;
        const rows = await db.fetchMany<{ n: number }>(SQL(9000), {}, 10);
        if (attempts === 1) {
          await terminate(appName);
          await db.fetchAll(SQL(9000)); // dies: transient (more than the rows read ahead)
        }
        return rows;
      });
      const rows = await flow("page-after-kill", async () => {
        try {
          return await page();
        } finally {
          await db.resetConnections();
        }
      })();
      expect(attempts).toBe(2);
      // The failed attempt's cursor was discarded, so the retry starts from row 1.
      expect(rows.map((r) => r.n)).toEqual(Array.from({ length: 10 }, (_, i) => 9001 + i));
    } finally {
      await db.close();
    }
  });
});
