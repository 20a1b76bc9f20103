import { ConnectionComponents, registerDriver, SqlConnector } from "@sqlblocks/core";
import { deadlockByLockOrder, rejection, runConformanceSuite, uniqueName, whileRowLocked } from "@sqlblocks/testkit";
import { afterAll } from "vitest";
import mysqlPlugin from "../src/index.js";
import { sleep } from "./server.js";

const url = process.env.SQLBLOCKS_TEST_MYSQL_URL ?? "mariadb+mysql2://root@127.0.0.1:3306/test";

registerDriver(mysqlPlugin);
/** A separate connection for killing connections and managing users. */
const admin = new SqlConnector({ connectionInfo: url, pool: { max: 1 } });
afterAll(() => admin.close());

runConformanceSuite({
  name: "mariadb",
  url,
  urlVariable: "SQLBLOCKS_TEST_MYSQL_URL",
  plugin: mysqlPlugin,
  // START TRANSACTION registers the transaction in INNODB_TRX at its first InnoDB access (the suite inserts first).
  // INNODB_TRX is a cache the server refreshes at most every 0.1 s: wait that long first.
  isolationCheck: {
    before: "DO SLEEP(0.15)",
    sql: "SELECT TRX_ISOLATION_LEVEL AS level FROM information_schema.INNODB_TRX WHERE TRX_MYSQL_THREAD_ID = CONNECTION_ID()",
  },
  values: [
    {
      name: "BIGINT beyond 2^53 and DECIMAL come back as exact strings, INT and DOUBLE as numbers",
      sql: "SELECT CAST(9007199254740993 AS SIGNED) AS big, CAST('12345678901234567890.123456789' AS DECIMAL(40, 9)) AS exact, 42 AS i, CAST(1.5 AS DOUBLE) AS f",
      expected: { big: "9007199254740993", exact: "12345678901234567890.123456789", i: 42, f: 1.5 },
    },
    {
      name: "booleans are 1/0, NULL is null, JSON is parsed",
      sql: "SELECT TRUE AS yes, NULL AS nothing, JSON_OBJECT('a', JSON_ARRAY(1, 2)) AS doc",
      expected: { yes: 1, nothing: null, doc: { a: [1, 2] } },
    },
    {
      name: "DATETIME(3) is a Date, VARBINARY a Buffer",
      sql: "SELECT CAST('2024-02-29 12:34:56.789' AS DATETIME(3)) AS at, CAST(X'0102FF' AS BINARY(3)) AS bytes",
      expected: { at: new Date(2024, 1, 29, 12, 34, 56, 789), bytes: Buffer.from([1, 2, 255]) },
    },
    {
      name: "bound parameters keep their value: a string with quotes and backslashes",
      sql: "SELECT :s AS s, :n + 1 AS n",
      params: { s: "it's a \\ backslash", n: 41 },
      expected: { s: "it's a \\ backslash", n: 42 },
    },
  ],
  errors: {
    deadlock: { driverCode: "1213", provoke: deadlockByLockOrder },
    // MariaDB 10.11 raises no serialization failure at its default settings (1020 needs innodb_snapshot_isolation, 11.6+).
    serialization_failure: false,
    lock_timeout: {
      driverCode: "1205",
      provoke: ({ make, table }) => {
        const db = make({ pool: { max: 2 } });
        return whileRowLocked(db, table, () =>
          rejection(
            db.transaction(async (tx) => {
              await tx.execute("SET SESSION innodb_lock_wait_timeout = 1");
              await tx.execute(`UPDATE ${table} SET score = 1 WHERE id = 1`);
            }),
          ),
        );
      },
    },
    query_canceled: {
      driverCode: "1969",
      provoke: ({ connector }) => rejection(connector.execute("SET STATEMENT max_statement_time = 0.05 FOR SELECT SLEEP(5)")),
    },
    permission_denied: {
      driverCode: "1142",
      provoke: async ({ table }) => {
      const user = uniqueName("sqlb_norights").slice(0, 32);
      await admin.execute(`CREATE USER '${user}'@'%'`);
      await admin.execute(`CREATE USER '${user}'@'localhost'`);
      const components = ConnectionComponents.fromUrl(url);
      const limited = new SqlConnector({ connectionInfo: { ...components, username: user, password: undefined, database: undefined } });
      try {
        return await rejection(limited.fetchAll(`SELECT id FROM ${components.database ?? "test"}.${table}`));
      } finally {
        await limited.close();
        await admin.execute(`DROP USER IF EXISTS '${user}'@'%'`);
        await admin.execute(`DROP USER IF EXISTS '${user}'@'localhost'`);
      }
    },
    },
  },
  faults: {
    connectionId: async (tx) => Number((await tx.execute("SELECT CONNECTION_ID() AS id")).rows[0]!.id),
    kill: async (id) => {
      await admin.execute(`KILL ${Number(id)}`);
      for (let i = 0; i < 100; i++) {
        const alive = await admin.execute("SELECT ID FROM information_schema.PROCESSLIST WHERE ID = :id", { id });
        if (alive.rows.length === 0) break;
        await sleep(20);
      }
      // Let the client side notice the closed socket.
      await sleep(50);
    },
    sleepSql: "SELECT SLEEP(30)",
    // A million rows (over 10 MB on the wire): more than the kernel's socket buffers hold.
    largeResultSql: `SELECT a.d + 10 * b.d + 100 * c.d + 1000 * d.d + 10000 * e.d + 100000 * f.d AS n
  FROM ${Array.from({ length: 6 }, (_, i) => `(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) ${"abcdef"[i]}`).join(", ")}`,
  },
});
