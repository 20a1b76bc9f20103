import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { rejection, runConformanceSuite, whileRowLocked } from "@sqlblocks/testkit";
import { afterAll } from "vitest";
import sqlitePlugin from "../src/index.js";

const folder = mkdtempSync(path.join(os.tmpdir(), "sqlblocks-sqlite-conformance-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

runConformanceSuite({
  name: "sqlite (file)",
  url: `sqlite+better-sqlite3:///${path.join(folder, "conformance.db")}`,
  plugin: sqlitePlugin,
  required: true,
  // SQLite has two: READ UNCOMMITTED (shared-cache dirty reads) and SERIALIZABLE (everything else).
  isolationLevels: ["READ UNCOMMITTED", "SERIALIZABLE"],
  isolationCheck: { sql: "PRAGMA read_uncommitted", expected: (level) => (level === "READ UNCOMMITTED" ? "1" : "0") },
  values: [
    {
      name: "integers and reals come back as numbers, a comparison as 1/0, NULL as null",
      sql: "SELECT 42 AS i, 1.5 AS f, 2 > 1 AS yes, NULL AS missing",
      expected: { i: 42, f: 1.5, yes: 1, missing: null },
    },
    {
      name: "a bigint parameter keeps its value, a Buffer comes back as a Buffer",
      sql: "SELECT :big AS big, :bytes AS bytes, typeof(:big) AS kind",
      params: { big: 9007199254740993n, bytes: Buffer.from([1, 2, 255]) },
      expected: { big: 9007199254740992, bytes: Buffer.from([1, 2, 255]), kind: "integer" },
    },
    {
      name: "a Date parameter is stored as its ISO text",
      sql: "SELECT :at AS at",
      params: { at: new Date("2024-02-29T12:34:56.789Z") },
      expected: { at: "2024-02-29T12:34:56.789Z" },
    },
  ],
  errors: {
    // SQLite locks the whole database, never rows: no deadlock between two transactions.
    deadlock: false,
    // Another connection's transaction holds the database's write lock meanwhile.
    lock_timeout: (context) =>
      whileRowLocked(context.make(), context.table, async () => {
        // connectTimeoutMs is also better-sqlite3's busy timeout: wait 100 ms for the lock, then SQLITE_BUSY.
        const waiter = context.make({ connectTimeoutMs: 100 });
        try {
          return await rejection(waiter.execute(`UPDATE ${context.table} SET score = 1 WHERE id = 2`));
        } finally {
          await waiter.close();
        }
      }),
    serialization_failure: async ({ connector, make, table }) => {
      // WAL: a transaction reads (its snapshot starts), another connection commits a write, then
      // the first tries to write on its stale snapshot: SQLITE_BUSY_SNAPSHOT.
      const stale = make();
      try {
        return await rejection(
          stale.transaction(async (tx) => {
            await tx.fetchAll(`SELECT score FROM ${table} WHERE id = 1`);
            await connector.execute(`UPDATE ${table} SET score = 11 WHERE id = 1`);
            await tx.execute(`UPDATE ${table} SET score = 12 WHERE id = 1`);
          }),
        );
      } finally {
        await stale.close();
      }
    },
    // No statement timeout or server-side cancel, no server connection to lose, no users.
    query_canceled: false,
    connection_lost: false,
    permission_denied: false,
  },
});
