import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Secret } from "@sqlblocks/core";
import { type ConnectionSettings, type DataSourceOptions, Driver } from "@sqlblocks/core/driver";
import pgModule from "pg";
import { DataSource } from "typeorm";
import { describe, expect, it } from "vitest";
import { createDataSourceOptions } from "../src/index.js";
import { pgPoolConfig } from "../src/pool.js";
import { PG_URL, sleep, watchedConnector } from "./server.js";
const here = path.dirname(fileURLToPath(import.meta.url));

/** The configuration TypeORM's PostgreSQL driver hands to `new Pool()` for these options. */
async function typeormPoolConfig(options: DataSourceOptions): Promise<pgModule.PoolConfig> {
  let seen: pgModule.PoolConfig | undefined;
  const refused = new Error("captured");
  function CapturingPool(config: pgModule.PoolConfig): never {
    seen = config;
    throw refused;
  }
  const driver = Object.assign(Object.create(pgModule) as typeof pgModule, { Pool: CapturingPool });
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
  const pg = watchedConnector("postgres native pool tests", "sqlb_native");
  const backends = async () => (await pg.backends()).length;

  it("a fresh process fetches a row without loading TypeORM, which getDataSource() then loads", async (context) => {
    pg.gate(context);
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(here, "fixtures", "cold-process.mjs"), PG_URL], { timeout: 30_000 });
    expect(JSON.parse(stdout)).toEqual({ row: { one: 1 }, typeormAfterFetch: false, typeormAfterDataSource: true, samePool: true });
  });

  it("the DataSource is the pool the connector's statements use", async (context) => {
    pg.gate(context);
    expect(await pg.db.fetchOne("SELECT 1 AS one")).toEqual({ one: 1 });
    const held = await pg.db.getClient("connection");
    try {
      const dataSource = await pg.db.getDataSource();
      expect(dataSource.isInitialized).toBe(true);
      const master = (dataSource.driver as unknown as { master: pgModule.Pool }).master;
      // The connection held through the connector is one of the DataSource pool's clients.
      expect(master.totalCount - master.idleCount).toBe(1);
      expect(master.options.max).toBe(3);
      expect(await dataSource.query("SELECT 2 AS two")).toEqual([{ two: 2 }]);
      expect(await pg.db.getDataSource()).toBe(dataSource);
    } finally {
      await held.release();
    }
  });

  it("close() ends the pool whether or not a DataSource adopted it, and the connector opens a new one", async (context) => {
    pg.gate(context);
    const dataSource = await pg.db.getDataSource();
    const master = (dataSource.driver as unknown as { master: pgModule.Pool }).master;
    await pg.db.close();
    expect(dataSource.isInitialized).toBe(false);
    expect(master.ended).toBe(true);
    for (let i = 0; i < 100 && (await backends()) > 0; i++) await sleep(20);
    expect(await backends()).toBe(0);
    // No DataSource this time: the native pool alone is ended.
    expect(await pg.db.fetchAll("SELECT 3 AS three")).toEqual([{ three: 3 }]);
    expect(await backends()).toBeGreaterThan(0);
    await pg.db.close();
    for (let i = 0; i < 100 && (await backends()) > 0; i++) await sleep(20);
    expect(await backends()).toBe(0);
    expect(await pg.db.getDataSource()).not.toBe(dataSource);
  });
});
