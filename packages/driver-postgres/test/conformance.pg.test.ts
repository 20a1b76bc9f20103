import { registerDriver, SqlConnector } from "@sqlblocks/core";
import { barrier, deadlockByLockOrder, rejection, runConformanceSuite, uniqueName, whileRowLocked } from "@sqlblocks/testkit";
import { afterAll } from "vitest";
import postgresPlugin from "../src/index.js";
import { sleep } from "./server.js";

const url = process.env.SQLBLOCKS_TEST_PG_URL ?? "postgresql+pg://postgres@127.0.0.1:5432/test";

registerDriver(postgresPlugin);
/** A separate connection for killing backends and setting up roles. */
const admin = new SqlConnector({ connectionInfo: url, pool: { max: 1 } });
afterAll(() => admin.close());

runConformanceSuite({
  name: "postgres",
  url,
  urlVariable: "SQLBLOCKS_TEST_PG_URL",
  plugin: postgresPlugin,
  isolationCheck: { sql: "SHOW transaction_isolation" },
  values: [
    {
      name: "int8 and numeric come back as exact strings, int4 and float8 as numbers",
      sql: "SELECT 9007199254740993::int8 AS big, 12345678901234567890.123456789::numeric AS dec, 42::int4 AS i, 1.5::float8 AS f",
      expected: { big: "9007199254740993", dec: "12345678901234567890.123456789", i: 42, f: 1.5 },
    },
    {
      name: "boolean, NULL, jsonb and text[] map to JavaScript values",
      sql: "SELECT true AS yes, NULL::int AS nothing, '{\"a\": [1, 2]}'::jsonb AS doc, ARRAY['x', 'y']::text[] AS tags",
      expected: { yes: true, nothing: null, doc: { a: [1, 2] }, tags: ["x", "y"] },
    },
    {
      name: "timestamptz is a Date, bytea a Buffer",
      sql: "SELECT '2024-02-29T12:34:56.789Z'::timestamptz AS at, '\\x0102ff'::bytea AS bytes",
      expected: { at: new Date("2024-02-29T12:34:56.789Z"), bytes: Buffer.from([1, 2, 255]) },
    },
    {
      name: "bound parameters keep their value: a bigint, a Date and a string with quotes",
      sql: "SELECT :big::int8 AS big, :at::timestamptz AS at, :s::text AS s",
      params: { big: 9007199254740993n, at: new Date("2024-01-02T03:04:05.006Z"), s: "it's" },
      expected: { big: "9007199254740993", at: new Date("2024-01-02T03:04:05.006Z"), s: "it's" },
    },
  ],
  errors: {
    deadlock: { driverCode: "40P01", provoke: deadlockByLockOrder },
    serialization_failure: {
      driverCode: "40001",
      provoke: async ({ make, table }) => {
      // Write skew: both read the total, both insert; SERIALIZABLE lets only one commit.
      const db = make({ pool: { max: 2 } });
      const bothRead = barrier(2);
      const skew = (id: number) =>
        db.transaction(
          async (tx) => {
            await tx.fetchAll(`SELECT SUM(score) AS s FROM ${table}`);
            await bothRead();
            await tx.execute(`INSERT INTO ${table} (id, name, score) VALUES (:id, 'skew', 1)`, { id });
          },
          { isolationLevel: "SERIALIZABLE" },
        );
      try {
        const outcomes = await Promise.allSettled([skew(101), skew(102)]);
        return outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected")?.reason;
      } finally {
        await db.close();
      }
    },
    },
    lock_timeout: {
      driverCode: "55P03",
      provoke: ({ make, table }) => {
        const db = make({ pool: { max: 2 } });
        return whileRowLocked(db, table, () =>
          rejection(
            db.transaction(async (tx) => {
              await tx.execute("SET LOCAL lock_timeout = '100ms'");
              await tx.execute(`UPDATE ${table} SET score = 1 WHERE id = 1`);
            }),
          ),
        );
      },
    },
    query_canceled: {
      driverCode: "57014",
      provoke: ({ connector }) =>
      rejection(
        connector.transaction(async (tx) => {
          await tx.execute("SET LOCAL statement_timeout = '50ms'");
          await tx.execute("SELECT pg_sleep(5)");
        }),
      ),
    },
    permission_denied: {
      driverCode: "42501",
      provoke: async ({ connector, table }) => {
      const role = uniqueName("sqlb_norights");
      await admin.execute(`CREATE ROLE ${role} NOLOGIN`);
      try {
        return await rejection(
          connector.transaction(async (tx) => {
            await tx.execute(`SET LOCAL ROLE ${role}`);
            await tx.fetchAll(`SELECT id FROM ${table}`);
          }),
        );
      } finally {
        await admin.execute(`DROP ROLE IF EXISTS ${role}`);
      }
    },
    },
  },
  faults: {
    connectionId: async (tx) => Number((await tx.execute<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid),
    kill: async (pid) => {
      await admin.execute("SELECT pg_terminate_backend(:pid)", { pid });
      for (let i = 0; i < 100; i++) {
        const alive = await admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = :pid", { pid });
        if (alive.rows.length === 0) break;
        await sleep(20);
      }
      // Let the client side read the termination notice.
      await sleep(50);
    },
    sleepSql: "SELECT pg_sleep(30)",
    largeResultSql: "SELECT g AS n FROM generate_series(1, 1000000) AS g",
  },
});
