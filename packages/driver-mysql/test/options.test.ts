import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Driver, InvalidConnectionInfoError, parseConnectionUrl, Secret } from "@sqlblocks/core";
import type { ConnectionSettings } from "@sqlblocks/core/driver";
import mysql from "mysql2";
import { afterAll, describe, expect, it } from "vitest";
import mysqlPlugin, { classifyMysqlError, createDataSourceOptions } from "../src/index.js";

type Options = Record<string, unknown> & { extra: Record<string, unknown>; driver: typeof mysql };

const build = (settings: Partial<ConnectionSettings> & { url?: string } = {}): Options => {
  const { url = "mysql+mysql2://app:s3cret@db.example:3307/shop", ...rest } = settings;
  return createDataSourceOptions({ components: parseConnectionUrl(url), ...rest }) as unknown as Options;
};

describe("mysql plug-in", () => {
  it("declares the contract", () => {
    expect(mysqlPlugin).toMatchObject({
      packageName: "@sqlblocks/driver-mysql",
      drivers: [Driver.MYSQL_MYSQL2, Driver.MARIADB_MYSQL2],
      placeholderStyle: "question",
      backslashEscapes: true,
      hashComments: true,
      maxBindParameters: 65535,
      pingSql: "SELECT 1",
    });
    expect(mysqlPlugin.isolationLevels).toEqual(["READ UNCOMMITTED", "READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE"]);
    expect(typeof mysqlPlugin.connect).toBe("function");
  });
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

describe("mysql error classification", () => {
  const serverError = (errno: number, code: string) => Object.assign(new Error(code), { errno, code, sqlState: "HY000" });
  it.each([
    [serverError(1062, "ER_DUP_ENTRY"), "1062", false],
    [serverError(1064, "ER_PARSE_ERROR"), "1064", false],
    [serverError(1045, "ER_ACCESS_DENIED_ERROR"), "1045", false],
    [serverError(1213, "ER_LOCK_DEADLOCK"), "1213", true],
    [serverError(1205, "ER_LOCK_WAIT_TIMEOUT"), "1205", true],
    [serverError(1927, "ER_CONNECTION_KILLED"), "1927", true],
    [serverError(1040, "ER_CON_COUNT_ERROR"), "1040", true],
    [Object.assign(new Error("lost"), { code: "PROTOCOL_CONNECTION_LOST", fatal: true }), "PROTOCOL_CONNECTION_LOST", true],
    [Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET", errno: -104 }), "ECONNRESET", true],
    [Object.assign(new Error("write EPIPE"), { code: "EPIPE", errno: -32 }), "EPIPE", true],
    [Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED", errno: -111 }), "ECONNREFUSED", true],
    [Object.assign(new Error("connect ETIMEDOUT"), { code: "ETIMEDOUT" }), "ETIMEDOUT", true],
    [Object.assign(new Error("timed out"), { code: "POOL_ACQUIRE_TIMEOUT" }), "POOL_ACQUIRE_TIMEOUT", true],
    [Object.assign(new Error("Can't add new command when connection is in closed state"), { fatal: true }), undefined, true],
    [Object.assign(new Error("Bind parameters must not contain undefined"), { code: "ER_BAD_PARAMS" }), "ER_BAD_PARAMS", false],
    [new Error("something else"), undefined, false],
    [new Error("wrapped", { cause: serverError(1213, "ER_LOCK_DEADLOCK") }), "1213", true],
    ["a string", undefined, false],
  ])("%s → %s, transient %s", (error, driverCode, transient) => {
    expect(classifyMysqlError(error)).toEqual({ driverCode, transient });
  });
});
