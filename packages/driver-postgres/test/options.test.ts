import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Driver, InvalidConnectionInfoError, parseConnectionUrl, Secret } from "@sqlblocks/core";
import type { ConnectionSettings } from "@sqlblocks/core/driver";
import pg from "pg";
import { runOptionSuite } from "@sqlblocks/testkit";
import { afterAll, describe, expect, it } from "vitest";
import postgresPlugin, { createDataSourceOptions } from "../src/index.js";

type Options = Record<string, unknown> & { extra: Record<string, unknown> };

const build = (settings: Partial<ConnectionSettings> & { url?: string } = {}): Options => {
  const { url = "postgresql+pg://app:s3cret@db.example:6543/shop", ...rest } = settings;
  return createDataSourceOptions({ components: parseConnectionUrl(url), ...rest }) as unknown as Options;
};

runOptionSuite({
  plugin: postgresPlugin,
  facts: {
    packageName: "@sqlblocks/driver-postgres",
    drivers: [Driver.POSTGRESQL_PG],
    placeholderStyle: "dollar",
    maxBindParameters: 65535,
    pingSql: "SELECT 1",
    isolationLevels: ["READ UNCOMMITTED", "READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE"],
  },
  nativeModule: pg,
  url: (password) => `postgresql+psycopg2://app:${password}@db.example:6543/shop`,
});

describe("postgres option mapping", () => {
  it("maps the components and hands TypeORM the pg module itself", () => {
    const options = build();
    expect(options).toMatchObject({
      type: "postgres",
      host: "db.example",
      port: 6543,
      database: "shop",
      username: "app",
      password: "s3cret",
      synchronize: false,
    });
    expect(options.driver).toBe(pg);
    expect(typeof options.poolErrorHandler).toBe("function");
  });

  it("defaults host and port", () => {
    const options = createDataSourceOptions({ components: { driver: Driver.POSTGRESQL_PG, database: "x" } }) as unknown as Options;
    expect(options).toMatchObject({ host: "localhost", port: 5432, password: undefined });
  });

  it("maps pool settings and the connect timeout", () => {
    const options = build({ pool: { max: 7, min: 2, idleTimeoutMs: 1234 }, connectTimeoutMs: 4000 });
    expect(options).toMatchObject({ poolSize: 7, connectTimeoutMS: 4000 });
    expect(options.extra).toEqual({ min: 2, idleTimeoutMillis: 1234 });
  });

  it("uses the larger of acquire and connect timeouts for pg-pool's single timeout", () => {
    expect(build({ pool: { acquireTimeoutMs: 9000 }, connectTimeoutMs: 4000 }).extra.connectionTimeoutMillis).toBe(9000);
    expect(build({ pool: { acquireTimeoutMs: 1000 }, connectTimeoutMs: 4000 }).extra.connectionTimeoutMillis).toBe(4000);
    expect(build({ connectTimeoutMs: 4000 }).extra.connectionTimeoutMillis).toBeUndefined();
  });

  it("merges connectArgs last, over every mapped option", () => {
    const options = build({
      pool: { min: 1, idleTimeoutMs: 10 },
      connectArgs: { idleTimeoutMillis: 99, max: 3, statement_timeout: 5000 },
      url: "postgresql+pg://u@h/db?statement_timeout=1",
    });
    expect(options.extra).toEqual({ min: 1, idleTimeoutMillis: 99, max: 3, statement_timeout: 5000 });
  });

  it("maps ssl: booleans, and objects with the key revealed only here", () => {
    expect(build({ ssl: true }).ssl).toBe(true);
    expect(build({ ssl: false, url: "postgresql+pg://u@h/db?sslmode=require" }).ssl).toBe(false);
    expect(build({ ssl: { ca: "CA", cert: "CERT", key: new Secret("KEY"), rejectUnauthorized: false } }).ssl).toEqual({
      ca: "CA",
      cert: "CERT",
      key: "KEY",
      rejectUnauthorized: false,
    });
    expect(build().ssl).toBeUndefined();
  });

  it("maps libpq's sslmode", () => {
    const mode = (value: string) => build({ url: `postgresql+pg://u@h/db?sslmode=${value}` }).ssl;
    expect(mode("disable")).toBe(false);
    expect(mode("prefer")).toBe(false);
    expect(mode("require")).toEqual({ rejectUnauthorized: false });
    expect(mode("verify-full")).toEqual({ rejectUnauthorized: true });
    const verifyCa = mode("verify-ca") as { rejectUnauthorized: boolean; checkServerIdentity: () => unknown };
    expect(verifyCa.rejectUnauthorized).toBe(true);
    expect(verifyCa.checkServerIdentity()).toBeUndefined();
    expect(() => mode("sometimes")).toThrow(/sslmode must be one of/);
  });

  const folder = mkdtempSync(path.join(os.tmpdir(), "sqlblocks-pg-options-"));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it("reads sslrootcert / sslcert / sslkey files named in the URL", () => {
    writeFileSync(path.join(folder, "ca.pem"), "CA-PEM");
    writeFileSync(path.join(folder, "key.pem"), "KEY-PEM");
    const ssl = build({
      url: `postgresql+pg://u@h/db?sslmode=verify-full&sslrootcert=${path.join(folder, "ca.pem")}&sslkey=${path.join(folder, "key.pem")}`,
    }).ssl;
    expect(ssl).toEqual({ rejectUnauthorized: true, ca: "CA-PEM", key: "KEY-PEM" });
    expect(() => build({ url: `postgresql+pg://u@h/db?sslrootcert=${path.join(folder, "missing.pem")}` })).toThrow(/cannot read/);
  });

  it("maps the other URL query parameters", () => {
    const options = build({
      url: "postgresql+pg://u@h/db?application_name=etl&connect_timeout=3&options=-c%20work_mem%3D64MB&search_path=app&lock_timeout=100&query_timeout=200&idle_in_transaction_session_timeout=300&keepalives=1&keepalives_idle=30",
    });
    expect(options).toMatchObject({ applicationName: "etl", connectTimeoutMS: 3000 });
    expect(options.extra).toEqual({
      options: "-c work_mem=64MB -c search_path=app",
      lock_timeout: 100,
      query_timeout: 200,
      idle_in_transaction_session_timeout: 300,
      keepAlive: true,
      keepAliveInitialDelayMillis: 30000,
    });
    expect(build({ url: "postgresql+pg://u@h/db?connect_timeout=3", connectTimeoutMs: 500 }).connectTimeoutMS).toBe(500);
  });

  it("rejects an unknown or malformed URL parameter with the fix", () => {
    expect(() => build({ url: "postgresql+pg://u@h/db?fallback=1" })).toThrow(InvalidConnectionInfoError);
    expect(() => build({ url: "postgresql+pg://u@h/db?fallback=1" })).toThrow(/supported: sslmode.*connectArgs/);
    expect(() => build({ url: "postgresql+pg://u@h/db?connect_timeout=soon" })).toThrow(/must be a whole number of at least 0/);
  });
});
