import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { InvalidConnectionInfoError, parseConnectionUrl, Secret } from "@sqlblocks/core";
import { type ConnectionSettings, Driver } from "@sqlblocks/core/driver";
import mssql from "mssql";
import { DataSource } from "typeorm";
import { runOptionSuite } from "@sqlblocks/testkit";
import { describe, expect, it } from "vitest";
import mssqlPlugin, { createDataSourceOptions, createMssqlConfig, MAX_BIND_PARAMETERS, MAX_ROWS_PER_INSERT } from "../src/index.js";

runOptionSuite({
  plugin: mssqlPlugin,
  facts: {
    packageName: "@sqlblocks/driver-mssql",
    drivers: [Driver.MSSQL_TEDIOUS],
    placeholderStyle: "at-p",
    maxBindParameters: MAX_BIND_PARAMETERS,
    maxRowsPerInsert: MAX_ROWS_PER_INSERT,
    pingSql: "SELECT 1",
    passwordProviders: true,
  },
  nativeModule: mssql,
  url: (password) => `mssql+pyodbc://sa:${password}@h:1433/db?encrypt=true`,
});

const PASSWORD = "s3cret-P@ss/word";

function fromUrl(url: string, extra: Omit<ConnectionSettings, "components"> = {}) {
  return createMssqlConfig({ components: parseConnectionUrl(url), ...extra });
}

describe("SQL Server options from components", () => {
  it("maps host, port, database, user and password, with sqlblocks' defaults", () => {
    const config = createMssqlConfig({
      components: {
        driver: Driver.MSSQL_TEDIOUS,
        host: "db.internal",
        port: 14330,
        database: "warehouse",
        username: "etl",
        password: new Secret(PASSWORD),
      },
    });
    expect(config).toEqual({
      server: "db.internal",
      port: 14330,
      database: "warehouse",
      user: "etl",
      password: PASSWORD,
      requestTimeout: 0,
      options: { encrypt: true, trustServerCertificate: false, useUTC: true },
    });
  });

  it("defaults to localhost:1433 and leaves out what is not given", () => {
    expect(createMssqlConfig({ components: { driver: Driver.MSSQL_TEDIOUS } })).toEqual({
      server: "localhost",
      port: 1433,
      requestTimeout: 0,
      options: { encrypt: true, trustServerCertificate: false, useUTC: true },
    });
  });

  it("maps pool settings and the connect timeout to mssql's names", () => {
    const config = createMssqlConfig({
      components: { driver: Driver.MSSQL_TEDIOUS, host: "h" },
      pool: { max: 20, min: 2, idleTimeoutMs: 5000, acquireTimeoutMs: 7000 },
      connectTimeoutMs: 4000,
    });
    expect(config.pool).toEqual({ max: 20, min: 2, idleTimeoutMillis: 5000, acquireTimeoutMillis: 7000 });
    expect(config.connectionTimeout).toBe(4000);
  });
});

describe("SQL Server options from URLs", () => {
  it("reads a Python mssql+pyodbc URL, ignoring the ODBC driver name", () => {
    const config = fromUrl(
      `mssql+pyodbc://user:${encodeURIComponent(PASSWORD)}@host:1433/db?encrypt=true&TrustServerCertificate=yes&driver=ODBC+Driver+18+for+SQL+Server`,
    );
    expect(config).toMatchObject({ server: "host", port: 1433, database: "db", user: "user", password: PASSWORD });
    expect(config.options).toEqual({ encrypt: true, trustServerCertificate: true, useUTC: true });
  });

  it("reads a Python mssql+pymssql URL", () => {
    const config = fromUrl("mssql+pymssql://sa:pw@sql.example.com/sales?charset=utf8&tds_version=7.4");
    expect(config).toMatchObject({ server: "sql.example.com", port: 1433, database: "sales", user: "sa", password: "pw" });
  });

  it("maps every supported query key, in any spelling", () => {
    const config = fromUrl(
      "mssql+tedious://u:p@h/db?Encrypt=no&trust_server_certificate=1&instanceName=SQLEXPRESS&app_name=etl" +
        "&ApplicationIntent=ReadOnly&MultiSubnetFailover=yes&packetSize=8192&requestTimeout=60000",
    );
    expect(config.options).toEqual({
      encrypt: false,
      trustServerCertificate: true,
      instanceName: "SQLEXPRESS",
      appName: "etl",
      readOnlyIntent: true,
      multiSubnetFailover: true,
      packetSize: 8192,
      useUTC: true,
    });
    expect(config.requestTimeout).toBe(60000);
  });

  it("accepts encrypt=strict for TDS 8.0", () => {
    expect(fromUrl("mssql://u:p@h/db?encrypt=strict").options?.encrypt).toBe("strict");
  });

  it("rejects an unknown query key with the list of supported ones", () => {
    expect(() => fromUrl("mssql://u:p@h/db?encrpyt=true")).toThrow(InvalidConnectionInfoError);
    expect(() => fromUrl("mssql://u:p@h/db?encrpyt=true")).toThrow(/unknown URL query parameter "encrpyt".*trustServerCertificate.*connectArgs/);
  });

  it("rejects a value that is not a boolean", () => {
    expect(() => fromUrl("mssql://u:p@h/db?encrypt=maybe")).toThrow(/encrypt="maybe" must be true or false/);
  });

  it("explains that odbc_connect URLs cannot be used", () => {
    expect(() => fromUrl("mssql+pyodbc:///?odbc_connect=DRIVER%3D%7BODBC%7D")).toThrow(/odbc_connect URLs are not supported/);
  });
});

describe("SQL Server TLS", () => {
  const components = { driver: Driver.MSSQL_TEDIOUS, host: "h" } as const;

  it("ssl: true encrypts, ssl: false does not", () => {
    expect(createMssqlConfig({ components, ssl: true }).options).toMatchObject({ encrypt: true, trustServerCertificate: false });
    expect(createMssqlConfig({ components, ssl: false }).options).toMatchObject({ encrypt: false });
  });

  it("rejectUnauthorized: false trusts the server certificate", () => {
    expect(createMssqlConfig({ components, ssl: { rejectUnauthorized: false } }).options).toMatchObject({
      encrypt: true,
      trustServerCertificate: true,
    });
  });

  it("ssl overrides the URL query", () => {
    const config = fromUrl("mssql://u:p@h/db?encrypt=false&trustServerCertificate=true", { ssl: { rejectUnauthorized: true } });
    expect(config.options).toMatchObject({ encrypt: true, trustServerCertificate: false });
  });

  it("hands ca, cert and the revealed key to TLS", () => {
    const config = createMssqlConfig({ components, ssl: { ca: "CA", cert: "CERT", key: new Secret("KEY") } });
    expect(config.options).toMatchObject({ encrypt: true, cryptoCredentialsDetails: { ca: "CA", cert: "CERT", key: "KEY" } });
  });
});

describe("connectArgs", () => {
  it("are merged last; options, pool and authentication key by key", () => {
    const config = createMssqlConfig({
      components: parseConnectionUrl("mssql://u:p@h/db?trustServerCertificate=true"),
      pool: { max: 5, min: 1 },
      connectArgs: { requestTimeout: 30000, options: { useUTC: false, encrypt: false }, pool: { max: 50 }, arrayRowMode: false },
    });
    expect(config.requestTimeout).toBe(30000);
    expect(config.options).toEqual({ encrypt: false, trustServerCertificate: true, useUTC: false });
    expect(config.pool).toEqual({ max: 50, min: 1 });
    expect(config.arrayRowMode).toBe(false);
  });
});

describe("TypeORM data source options", () => {
  const settings = { components: parseConnectionUrl(`mssql://sa:${encodeURIComponent(PASSWORD)}@h:1433/db`) };

  it("hand TypeORM the mssql module, so it never loads one by name", () => {
    const options = createDataSourceOptions(settings);
    expect(options.type).toBe("mssql");
    expect((options as { driver?: unknown }).driver).toBe(mssql);
    const dataSource = new DataSource(options);
    expect((dataSource.driver as unknown as { mssql: unknown }).mssql).toBe(mssql);
  });

  // That it appears exactly once, and never in the connector, is the option suite's (testkit).
  it("carry the password in the native config only", () => {
    const options = createDataSourceOptions(settings);
    expect((options as { extra: { password: string } }).extra.password).toBe(PASSWORD);
    expect((options as { password?: string }).password).toBeUndefined();
  });
});

describe("Node 20 support", () => {
  it("mssql runs on a tedious that supports this Node (tedious 20 needs Node 22; the workspace pins 19)", () => {
    const fromMssql = createRequire(createRequire(import.meta.url).resolve("mssql"));
    const tedious = JSON.parse(readFileSync(fromMssql.resolve("tedious/package.json"), "utf8")) as { version: string };
    expect(Number(tedious.version.split(".")[0])).toBe(19);
  });
});
