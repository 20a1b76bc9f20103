import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Driver, InvalidConnectionInfoError, parseConnectionUrl, Secret } from "@sqlblocks/core";
import type { ConnectionSettings } from "@sqlblocks/core/driver";
import mysql from "mysql2";
import { runOptionSuite } from "@sqlblocks/testkit";
import { afterAll, describe, expect, it } from "vitest";
import mysqlPlugin, { createDataSourceOptions } from "../src/index.js";

type Options = Record<string, unknown> & { extra: Record<string, unknown>; driver: typeof mysql };

const build = (settings: Partial<ConnectionSettings> & { url?: string } = {}): Options => {
  const { url = "mysql+mysql2://app:s3cret@db.example:3307/shop", ...rest } = settings;
  return createDataSourceOptions({ components: parseConnectionUrl(url), ...rest }) as unknown as Options;
};

runOptionSuite({
  plugin: mysqlPlugin,
  facts: {
    packageName: "@sqlblocks/driver-mysql",
    drivers: [Driver.MYSQL_MYSQL2, Driver.MARIADB_MYSQL2],
    placeholderStyle: "question",
    backslashEscapes: true,
    hashComments: true,
    maxBindParameters: 65535,
    pingSql: "SELECT 1",
    isolationLevels: ["READ UNCOMMITTED", "READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE"],
  },
  nativeModule: mysql,
  url: (password) => `mysql+pymysql://app:${password}@db.example:3307/shop`,
});

describe("mysql option mapping", () => {
  it("maps the components; mysql and mariadb URLs pick TypeORM's type", () => {
    const options = build();
    expect(options).toMatchObject({
      type: "mysql",
      host: "db.example",
      port: 3307,
      database: "shop",
      username: "app",
      password: "s3cret",
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: false,
      synchronize: false,
    });
    expect(build({ url: "mariadb+mysql2://u@h/db" }).type).toBe("mariadb");
    expect(build({ url: "mysql+pymysql://u@h/db" }).type).toBe("mysql");
  });

  it("hands TypeORM the real mysql2 module, with guarded pools", () => {
    const { driver } = build();
    expect(Object.getPrototypeOf(driver)).toBe(mysql);
    expect(driver.createConnection).toBe(mysql.createConnection);
    expect(driver.createPool).not.toBe(mysql.createPool);
  });

  it("defaults host and port", () => {
    const options = createDataSourceOptions({ components: { driver: Driver.MARIADB_MYSQL2 } }) as unknown as Options;
    expect(options).toMatchObject({ host: "localhost", port: 3306, password: undefined, database: undefined });
  });

  it("maps pool settings and the connect timeout", () => {
    const options = build({ pool: { max: 7, min: 2, idleTimeoutMs: 1234 }, connectTimeoutMs: 4000 });
    expect(options).toMatchObject({ poolSize: 7, connectTimeout: 4000 });
    expect(options.extra).toEqual({ maxIdle: 2, idleTimeout: 1234 });
    expect(build({ pool: { idleTimeoutMs: 50 } }).extra).toEqual({ maxIdle: 0, idleTimeout: 50 });
    expect(build({ pool: { max: 3 } }).extra).toEqual({});
  });

  it("merges connectArgs last, over every mapped option", () => {
    const options = build({ pool: { min: 1, idleTimeoutMs: 10 }, connectArgs: { idleTimeout: 99, decimalNumbers: true } });
    expect(options.extra).toEqual({ maxIdle: 1, idleTimeout: 99, decimalNumbers: true });
  });

  it("maps ssl: booleans, and objects with the key revealed only here", () => {
    expect(build({ ssl: true }).ssl).toEqual({ rejectUnauthorized: true });
    expect(build({ ssl: false, url: "mysql+mysql2://u@h/db?ssl_mode=REQUIRED" }).ssl).toBeUndefined();
    expect(build({ ssl: { ca: "CA", cert: "CERT", key: new Secret("KEY"), rejectUnauthorized: false } }).ssl).toEqual({
      ca: "CA",
      cert: "CERT",
      key: "KEY",
      rejectUnauthorized: false,
    });
    expect(build().ssl).toBeUndefined();
  });

  it("maps ssl_mode", () => {
    const mode = (value: string) => build({ url: `mysql+mysql2://u@h/db?ssl_mode=${value}` }).ssl;
    expect(mode("DISABLED")).toBeUndefined();
    expect(mode("preferred")).toBeUndefined();
    expect(mode("REQUIRED")).toEqual({ rejectUnauthorized: false });
    expect(mode("verify-identity")).toEqual({ rejectUnauthorized: true });
    expect(mode("VERIFY_CA")).toMatchObject({ rejectUnauthorized: true });
    expect(build({ url: "mysql+mysql2://u@h/db?sslmode=required" }).ssl).toEqual({ rejectUnauthorized: false });
    expect(() => mode("sometimes")).toThrow(/ssl_mode must be one of/);
  });

  const folder = mkdtempSync(path.join(os.tmpdir(), "sqlblocks-mysql-options-"));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it("reads ssl_ca / ssl_cert / ssl_key files named in the URL", () => {
    writeFileSync(path.join(folder, "ca.pem"), "CA-PEM");
    expect(build({ url: `mysql+mysql2://u@h/db?ssl_ca=${path.join(folder, "ca.pem")}` }).ssl).toEqual({ rejectUnauthorized: true, ca: "CA-PEM" });
    expect(() => build({ url: `mysql+mysql2://u@h/db?ssl_key=${path.join(folder, "missing.pem")}` })).toThrow(/cannot read/);
  });

  it("maps charset, timezone and connect_timeout from the URL", () => {
    expect(build({ url: "mysql+mysql2://u@h/db?charset=utf8mb4&timezone=Z&connect_timeout=3" })).toMatchObject({
      charset: "utf8mb4",
      timezone: "Z",
      connectTimeout: 3000,
    });
    expect(build({ url: "mysql+mysql2://u@h/db?connect_timeout=3", connectTimeoutMs: 500 }).connectTimeout).toBe(500);
  });

  it("rejects an unknown or malformed URL parameter with the fix", () => {
    expect(() => build({ url: "mysql+mysql2://u@h/db?autocommit=true" })).toThrow(InvalidConnectionInfoError);
    expect(() => build({ url: "mysql+mysql2://u@h/db?autocommit=true" })).toThrow(/supported: charset.*connectArgs/);
    expect(() => build({ url: "mysql+mysql2://u@h/db?connect_timeout=-1" })).toThrow(/must be a whole number of at least 0/);
  });
});
