/**
 * Faults on MariaDB (and MySQL). The server is shared with other test suites, so it is
 * never restarted: `KILL <connection>` of the connections under test — what a restart does
 * to every client — stands in for a restart. The connections under test log in as a user of
 * their own, so only they are killed.
 *
 * - a flow whose tasks retry only transient errors completes while its connections keep being
 *   killed; the table has no unique key and every attempt marks its rows: each batch is
 *   committed exactly once, except where a kill during COMMIT lost the acknowledgement of a
 *   commit that landed (identified, counted);
 * - an executeMany interrupted by a killed connection: success ⇒ all rows; error ⇒ no row,
 *   or all rows only when the kill hit its COMMIT;
 * - cursors whose connections died: resetConnections recovers them, without hanging.
 */
import { randomBytes, } from "node:crypto";
import { BlockStore, closeDefaultStores, DatabaseError, parseConnectionUrl, registerDriver, SqlConnector } from "@sqlblocks/core";
import mysqlPlugin from "@sqlblocks/driver-mysql";
import { configureRunHistory, configureRunLogging, flushRunHistory, } from "@sqlblocks/flow";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MYSQL_URL, serverGate, sleep, tempDir, uniqueName } from "./support/env.js";
import { describeFlowUnderKills, executeManyUnderKills, flowUnderKills } from "./support/kill-scenarios.js";

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

/**
 * Kills the test user's connections and says what each was running at that moment: the
 * processlist row is read and the KILL sent in one multi-statement packet, so the statement
 * seen is the one the kill met (to within the server's time between two statements).
 */
async function killNoting(): Promise<{ command: string; info: string | null }[]> {
  const ids = (await connections()).map((c) => c.id);
  if (!ids.length) return [];
  const parts = parseConnectionUrl(MYSQL_URL);
  const raw = await mysql.createConnection({
    host: parts.host ?? "127.0.0.1",
    port: parts.port ?? 3306,
    user: parts.username,
    password: parts.password?.reveal(),
    multipleStatements: true,
  });
  try {
    const seen: { command: string; info: string | null }[] = [];
    for (const id of ids) {
      const [results] = await raw.query(
        `SELECT COMMAND AS command, INFO AS info FROM information_schema.PROCESSLIST WHERE ID = ${Number(id)}; KILL ${Number(id)}`,
      ).catch(() => [[[]]] as const);
      seen.push(...((results as unknown[])[0] as { command: string; info: string | null }[]));
    }
    return seen;
  } finally {
    await raw.end();
  }
}

const isCommit = (info: string | null | undefined) => /^\s*COMMIT\b/i.test(info ?? "");

/** Kills the test user's connections that match `filter`; returns how many. */
async function kill(filter: (c: { command: string; info: string | null }) => boolean = () => true): Promise<number> {
  const ids = (await connections()).filter(filter).map((c) => c.id);
  for (const id of ids) await admin!.execute(`KILL ${id}`).catch(() => undefined);
  return ids.length;
}

describe("mysql faults: a flow while its connections are killed", () => {
  it("tasks retrying only transient errors commit every batch exactly once (lost COMMIT acknowledgements identified)", async (context) => {
    gate(context);
    // No unique key: a batch applied twice stays visible as two attempts' rows.
    const table = await createTable("rel_flow_rows", "id INT NOT NULL, batch INT NOT NULL, attempt VARCHAR(64) NOT NULL");
    await new SqlConnector({ connectionInfo: userUrl, pool: { max: 2 } }).save("mysql-faulty", { store });
    const outcome = await flowUnderKills({
      flowName: "mysql-load-under-kills",
      blockName: "mysql-faulty",
      store,
      admin: admin!,
      table,
      sleepSql: "SELECT SLEEP(0.04)",
      kill: () => kill(),
    });
    figures.push(describeFlowUnderKills(outcome, "connections"));
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

  it.for(cases)("$path: success ⇒ all rows; error ⇒ none, or all only when the kill hit COMMIT", { timeout: 180_000 }, async ({ path, sql, rows }, context) => {
    gate(context);
    // No unique key, so nothing can absorb a set applied twice.
    const table = await createTable("rel_many", "id INT NOT NULL, payload VARCHAR(64) NOT NULL");
    figures.push(
      await executeManyUnderKills({
        admin: admin!,
        table,
        path,
        sql: sql(table),
        rows,
        round: () => ({
          db: new SqlConnector({ connectionInfo: userUrl, pool: { max: 1 } }),
          // Wait until the batch is running on the server.
          waitUntilRunning: async (finished) => {
            while (!finished() && !(await connections()).some((c) => c.info?.includes(table))) await sleep(2);
          },
          killNoting: async () => (await killNoting()).map((k) => ({ described: `${k.command}: ${(k.info ?? "").slice(0, 30)}`, atCommit: isCommit(k.info) })),
        }),
      }),
    );
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
