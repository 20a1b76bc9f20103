import { registerDriver, SqlConnector } from "@sqlblocks/core";
import { serverGate, uniqueName } from "@sqlblocks/testkit";
import type { TestContext } from "vitest";
import { afterAll } from "vitest";
import postgresPlugin from "../src/index.js";

export { serverGate };

/** The PostgreSQL the tests use. */
export const PG_URL = process.env.SQLBLOCKS_TEST_PG_URL ?? "postgresql+pg://postgres@127.0.0.1:5432/test";

/** A connector under test, told apart on the server by its own `application_name`, and an admin connector beside it. */
export interface WatchedConnector {
  readonly appName: string;
  /** The connector under test (`pool.max` 3). */
  readonly db: SqlConnector;
  /** Another connector that watches the server. */
  readonly admin: SqlConnector;
  /** Skips the test, visibly, when PostgreSQL is unreachable (outside CI). */
  gate(context: TestContext): void;
  /** The server's backends of the connector under test. */
  backends(): Promise<{ pid: number; state: string }[]>;
}

/** A {@link WatchedConnector} for one describe block, closed after it. */
export function watchedConnector(label: string, name: string): WatchedConnector {
  const appName = uniqueName(name);
  let db: SqlConnector | undefined;
  let admin: SqlConnector | undefined;
  const gate = serverGate(label, async () => {
    registerDriver(postgresPlugin);
    db = new SqlConnector({ connectionInfo: withQuery(PG_URL, "application_name", appName), pool: { max: 3 } });
    admin = new SqlConnector({ connectionInfo: PG_URL, pool: { max: 1 } });
    await admin.execute("SELECT 1");
  });
  afterAll(async () => {
    await db?.close();
    await admin?.close();
  });
  return {
    appName,
    get db() {
      return db!;
    },
    get admin() {
      return admin!;
    },
    gate,
    // execute, not fetchAll: a fetch of the same (sql, params) stays exhausted until reset.
    backends: async () =>
      (await admin!.execute<{ pid: number; state: string }>("SELECT pid, state FROM pg_stat_activity WHERE application_name = :app", { app: appName })).rows,
  };
}

/** `url` with one more query parameter. */
export function withQuery(url: string, name: string, value: string): string {
  return `${url}${url.includes("?") ? "&" : "?"}${name}=${encodeURIComponent(value)}`;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
