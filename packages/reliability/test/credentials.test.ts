/**
 * Credential providers (issue 16) on servers of the test's own with real password
 * authentication (the shared servers trust every local login, where a password test could not
 * fail): PostgreSQL with scram-sha-256, MariaDB with a password user. While a flow runs, the
 * role's password changes and the provider starts returning the new one: connections opened
 * after that use it, and no statement fails. A wrong password from the provider is a typed
 * error; no provider-returned password reaches the store, an error, a log or the run history.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import {
  BlockStore,
  closeDefaultStores,
  DatabaseError,
  registerCredentialProvider,
  registerDriver,
  SqlConnector,
  unregisterCredentialProvider,
} from "@sqlblocks/core";
import mysqlPlugin from "@sqlblocks/driver-mysql";
import postgresPlugin from "@sqlblocks/driver-postgres";
import { configureRunHistory, configureRunLogging, flow, flushRunHistory, RunHistory, task } from "@sqlblocks/flow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sleep, tempDir } from "./support/env.js";
import { OwnMariaDB, OwnPostgres } from "./support/own-server.js";

const FIRST = "first-Pw-7c1d9e";
const SECOND = "second-Pw-4b8a2f";
const home = tempDir("credentials");
let store: BlockStore;
const logLines: string[] = [];

beforeAll(async () => {
  registerDriver(postgresPlugin);
  registerDriver(mysqlPlugin);
  store = await BlockStore.open({ home, env: {} });
  configureRunHistory({ store });
  configureRunLogging({
    console: new Writable({
      write(chunk, _encoding, callback) {
        logLines.push(String(chunk));
        callback();
      },
    }),
  });
});
afterAll(async () => {
  await flushRunHistory();
  await store?.close();
  await closeDefaultStores();
});

interface Server {
  /** URL of the application role, without a password. */
  appUrl: string;
  setPassword(password: string): Promise<void>;
  destroy(): Promise<void>;
}

const SERVERS = [
  {
    name: "postgres (scram-sha-256)",
    async start(): Promise<Server> {
      const server = await OwnPostgres.create({ password: "admin-Pw-1f" });
      const admin = new SqlConnector({ connectionInfo: server.url });
      await admin.execute(`CREATE ROLE app LOGIN PASSWORD '${FIRST}'`);
      await admin.execute("CREATE TABLE ticks (task int, n int)");
      await admin.execute("GRANT ALL ON ticks TO app");
      return {
        appUrl: `postgresql+pg://app@127.0.0.1:${server.port}/postgres`,
        setPassword: async (password) => void (await admin.execute(`ALTER ROLE app PASSWORD '${password}'`)),
        destroy: async () => {
          await admin.close();
          await server.destroy();
        },
      };
    },
  },
  {
    name: "mariadb (password user)",
    async start(): Promise<Server> {
      const server = await OwnMariaDB.create();
      const admin = new SqlConnector({ connectionInfo: server.url });
      await admin.execute(`CREATE USER 'app'@'127.0.0.1' IDENTIFIED BY '${FIRST}'`);
      await admin.execute("CREATE TABLE test.ticks (task int, n int)");
      await admin.execute("GRANT ALL ON test.* TO 'app'@'127.0.0.1'");
      return {
        appUrl: `mariadb+mysql2://app@127.0.0.1:${server.port}/test`,
        setPassword: async (password) => void (await admin.execute(`ALTER USER 'app'@'127.0.0.1' IDENTIFIED BY '${password}'`)),
        destroy: async () => {
          await admin.close();
          await server.destroy();
        },
      };
    },
  },
] as const;

describe.each(SERVERS)("credential provider on $name", (kind) => {
  let server: Server;
  beforeAll(async () => {
    server = await kind.start();
  }, 180_000);
  afterAll(async () => {
    await server?.destroy();
  }, 60_000);

  it("new connections use the provider's new password after a rotation, with 0 failed statements", async () => {
    let current = FIRST;
    const handedOut: string[] = [];
    registerCredentialProvider("rotating", () => {
      handedOut.push(current);
      return current;
    });
    try {
      // Idle connections close after 50 ms, so the pool keeps opening new ones.
      await new SqlConnector({
        connectionInfo: server.appUrl,
        passwordFrom: { provider: "rotating" },
        pool: { max: 3, min: 0, idleTimeoutMs: 50 },
      }).save("rotating-db", { store, overwrite: true });
      const tick = task("tick", async (taskNo: number) => {
        const db = await SqlConnector.load("rotating-db", { store });
        try {
          for (let n = 0; n < 5; n++) {
            await db.execute("INSERT INTO ticks (task, n) VALUES (:taskNo, :n)", { taskNo, n });
            await sleep(20);
          }
        } finally {
          await db.close();
        }
      });
      let done = 0;
      const ticking = flow("credential-rotation", async () => {
        for (let t = 0; t < 40; t++) {
          await tick(t);
          done++;
          await sleep(60);
        }
      });
      const running = ticking();
      // The rotation happens outside the run (its SQL would otherwise be in the run's statement log).
      while (done < 20) await sleep(20);
      await server.setPassword(SECOND);
      current = SECOND;
      await running;
      const check = new SqlConnector({ connectionInfo: server.appUrl, passwordFrom: { provider: "rotating" } });
      try {
        const { rows } = await check.execute<{ n: unknown }>("SELECT count(*) AS n FROM ticks");
        expect(Number(rows[0]!.n)).toBe(200);
      } finally {
        await check.close();
      }
      // Both passwords were handed out, the second only after the rotation, many times (each new connection).
      const firstUses = handedOut.filter((p) => p === FIRST).length;
      const secondUses = handedOut.filter((p) => p === SECOND).length;
      expect(firstUses).toBeGreaterThanOrEqual(10);
      expect(secondUses).toBeGreaterThanOrEqual(10);
      expect(handedOut.indexOf(SECOND)).toBeGreaterThan(handedOut.lastIndexOf(FIRST));
      // The old password no longer works, so the new connections really used the new one.
      const stale = new SqlConnector({ connectionInfo: server.appUrl.replace("app@", `app:${FIRST}@`) });
      await expect(stale.execute("SELECT 1")).rejects.toBeInstanceOf(DatabaseError);
      await stale.close();

      const history = new RunHistory(store.db);
      await flushRunHistory();
      const [run] = await history.listFlowRuns({ name: "credential-rotation", limit: 1 });
      expect(run?.state).toBe("COMPLETED");
      const tasks = await history.listTaskRuns(run!.id);
      expect(tasks.filter((t) => t.state === "COMPLETED")).toHaveLength(40);
      expect(tasks.every((t) => t.attempts === 1)).toBe(true);
    } finally {
      unregisterCredentialProvider("rotating");
      await server.setPassword(FIRST);
    }
  }, 180_000);

  it("a wrong password from the provider is a typed error that never shows it", async () => {
    const WRONG = "wrong-Pw-9d0e3a";
    const db = new SqlConnector({ connectionInfo: server.appUrl, passwordFrom: { env: "SQLBLOCKS_TEST_WRONG_PW" }, connectTimeoutMs: 10_000 });
    process.env.SQLBLOCKS_TEST_WRONG_PW = WRONG;
    try {
      const error = await db.execute("SELECT 1").then(
        () => undefined,
        (e: unknown) => e as DatabaseError,
      );
      expect(error).toBeInstanceOf(DatabaseError);
      expect(error!.driverCode).toMatch(/^(28P01|1045)$/);
      expect(`${error!.message} ${error!.stack} ${JSON.stringify(error)}`).not.toContain(WRONG);
    } finally {
      delete process.env.SQLBLOCKS_TEST_WRONG_PW;
      await db.close();
    }
  }, 60_000);

  it("no provider-returned password reaches the store file, the run history or the logs", async () => {
    await flushRunHistory();
    const bytes = ["sqlblocks.db", "sqlblocks.db-wal"]
      .map((file) => path.join(home, file))
      .filter((file) => existsSync(file))
      .map((file) => readFileSync(file).toString("latin1"))
      .join("");
    const history = JSON.stringify(await new RunHistory(store.db).listFlowRuns({ limit: 100 }));
    for (const secret of [FIRST, SECOND]) {
      expect(bytes).not.toContain(secret);
      expect(history).not.toContain(secret);
      expect(logLines.join("\n")).not.toContain(secret);
    }
  });
});
