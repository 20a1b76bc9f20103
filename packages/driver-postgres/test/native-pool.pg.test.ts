import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { registerDriver, Secret, SqlConnector } from "@sqlblocks/core";
import { type ConnectionSettings, type DataSourceOptions, Driver } from "@sqlblocks/core/driver";
import { uniqueName } from "@sqlblocks/testkit";
import pg from "pg";
import { DataSource } from "typeorm";
import { afterAll, describe, expect, it } from "vitest";
import postgresPlugin, { createDataSourceOptions } from "../src/index.js";
import { pgPoolConfig } from "../src/pool.js";
import { serverGate, sleep, withQuery } from "./server.js";

const url = process.env.SQLBLOCKS_TEST_PG_URL ?? "postgresql+pg://postgres@127.0.0.1:5432/test";
const here = path.dirname(fileURLToPath(import.meta.url));

/** The configuration TypeORM's PostgreSQL driver hands to `new Pool()` for these options. */
async function typeormPoolConfig(options: DataSourceOptions): Promise<pg.PoolConfig> {
  let seen: pg.PoolConfig | undefined;
  const refused = new Error("captured");
  function CapturingPool(config: pg.PoolConfig): never {
    seen = config;
    throw refused;
  }
  const driver = Object.assign(Object.create(pg) as typeof pg, { Pool: CapturingPool });
  await expect(new DataSource({ ...options, driver } as DataSourceOptions).initialize()).rejects.toBe(refused);
  return seen!;
}

const settings = (over: Partial<ConnectionSettings> = {}): ConnectionSettings => ({
  components: { driver: Driver.POSTGRESQL_PG, host: "db.internal", port: 6543, database: "wh", username: "app", password: new Secret("s3cret") },
  ...over,
});

describe("postgres: the native pool has TypeORM's configuration", () => {
  const provider = async () => "from-provider";
  it.for([
    ["plain components", settings()],
    ["pool sizes, idle and acquire time-outs", settings({ pool: { min: 1, max: 7, idleTimeoutMs: 1234, acquireTimeoutMs: 250 }, connectTimeoutMs: 900 })],
    [
      "TLS, application name and connect time-out from the URL query",
      settings({
        components: { ...settings().components, query: { sslmode: "require", application_name: "etl", connect_timeout: "3" } },
      }),
    ],
    ["TLS settings and connectArgs", settings({ ssl: { rejectUnauthorized: false }, connectArgs: { statement_timeout: 5000, keepAlive: true } })],
    ["a password provider", settings({ passwordProvider: provider })],
    ["no host, user or database", settings({ components: { driver: Driver.POSTGRESQL_PG } })],
  ] as const)("%s", async ([, given]) => {
    const options = createDataSourceOptions(given);
    expect(pgPoolConfig(options)).toEqual(await typeormPoolConfig(options));
  });
});

describe("postgres: statements run before TypeORM is loaded; the DataSource adopts their pool", () => {
  const appName = uniqueName("sqlb_native");
  let db: SqlConnector;
  let admin: SqlConnector;
  const gate = serverGate("postgres native pool tests", async () => {
    registerDriver(postgresPlugin);
    db = new SqlConnector({ connectionInfo: withQuery(url, "application_name", appName), pool: { max: 3 } });
    admin = new SqlConnector({ connectionInfo: url, pool: { max: 1 } });
    await admin.execute("SELECT 1");
  });
  afterAll(async () => {
    await db?.close();
    await admin?.close();
  });

  const backends = async () =>
    (await admin.execute<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = :app", { app: appName })).rows[0]!.n;

  it("a fresh process fetches a row without loading TypeORM, which getDataSource() then loads", async (context) => {
    gate(context);
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(here, "fixtures", "cold-process.mjs"), url], { timeout: 30_000 });
    expect(JSON.parse(stdout)).toEqual({ row: { one: 1 }, typeormAfterFetch: false, typeormAfterDataSource: true, samePool: true });
  });

  it("the DataSource is the pool the connector's statements use", async (context) => {
    gate(context);
    expect(await db.fetchOne("SELECT 1 AS one")).toEqual({ one: 1 });
    const held = await db.getClient("connection");
    try {
      const dataSource = await db.getDataSource();
      expect(dataSource.isInitialized).toBe(true);
      const master = (dataSource.driver as unknown as { master: pg.Pool }).master;
      // The connection held through the connector is one of the DataSource pool's clients.
      expect(master.totalCount - master.idleCount).toBe(1);
      expect(master.options.max).toBe(3);
      expect(await dataSource.query("SELECT 2 AS two")).toEqual([{ two: 2 }]);
      expect(await db.getDataSource()).toBe(dataSource);
    } finally {
      await held.release();
    }
  });

  it("close() ends the pool whether or not a DataSource adopted it, and the connector opens a new one", async (context) => {
    gate(context);
    const dataSource = await db.getDataSource();
    const master = (dataSource.driver as unknown as { master: pg.Pool }).master;
    await db.close();
    expect(dataSource.isInitialized).toBe(false);
    expect(master.ended).toBe(true);
    for (let i = 0; i < 100 && (await backends()) > 0; i++) await sleep(20);
    expect(await backends()).toBe(0);
    // No DataSource this time: the native pool alone is ended.
    expect(await db.fetchAll("SELECT 3 AS three")).toEqual([{ three: 3 }]);
    expect(await backends()).toBeGreaterThan(0);
    await db.close();
    for (let i = 0; i < 100 && (await backends()) > 0; i++) await sleep(20);
    expect(await backends()).toBe(0);
    expect(await db.getDataSource()).not.toBe(dataSource);
  });
});
