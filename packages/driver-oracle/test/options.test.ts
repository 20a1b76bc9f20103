import { InvalidConnectionInfoError, parseConnectionUrl, Secret } from "@sqlblocks/core";
import { type ConnectionSettings, Driver } from "@sqlblocks/core/driver";
import oracledb from "oracledb";
import { DataSource } from "typeorm";
import { runOptionSuite } from "@sqlblocks/testkit";
import { describe, expect, it } from "vitest";
import oraclePlugin, { createDataSourceOptions, createOracleAttributes, MAX_BIND_PARAMETERS } from "../src/index.js";

runOptionSuite({
  plugin: oraclePlugin,
  facts: {
    packageName: "@sqlblocks/driver-oracle",
    drivers: [Driver.ORACLE_ORACLEDB],
    placeholderStyle: "colon-number",
    maxBindParameters: MAX_BIND_PARAMETERS,
    pingSql: "SELECT 1 FROM DUAL",
  },
  nativeModule: oracledb,
  url: (password) => `oracle+cx_oracle://scott:${password}@h:1521/?service_name=XE`,
});

const PASSWORD = "t1ger/Pa55?word";
const descriptor = (host: string, port: number, data: string, protocol = "TCP") =>
  `(DESCRIPTION=(ADDRESS=(PROTOCOL=${protocol})(HOST=${host})(PORT=${port}))(CONNECT_DATA=${data}))`;

function fromUrl(url: string, extra: Omit<ConnectionSettings, "components"> = {}) {
  return createOracleAttributes({ components: parseConnectionUrl(url), ...extra });
}

describe("Oracle options from components", () => {
  it("maps host, port, service name, user and password, with sqlblocks' pool defaults", () => {
    const attributes = createOracleAttributes({
      components: {
        driver: Driver.ORACLE_ORACLEDB,
        host: "db.internal",
        port: 1522,
        database: "ORCLPDB1",
        username: "scott",
        password: new Secret(PASSWORD),
      },
    });
    expect(attributes).toEqual({
      user: "scott",
      password: PASSWORD,
      connectString: descriptor("db.internal", 1522, "(SERVICE_NAME=ORCLPDB1)"),
      poolMax: 10,
      poolMin: 0,
      poolIncrement: 1,
    });
  });

  it("maps pool settings and the connect timeout to node-oracledb's names and units", () => {
    const attributes = createOracleAttributes({
      components: { driver: Driver.ORACLE_ORACLEDB, host: "h", database: "svc" },
      pool: { max: 20, min: 2, idleTimeoutMs: 1500, acquireTimeoutMs: 7000 },
      connectTimeoutMs: 2500,
    });
    expect(attributes).toMatchObject({ poolMax: 20, poolMin: 2, poolTimeout: 2, queueTimeout: 7000, connectTimeout: 3 });
  });

  it("explains what is missing when there is nowhere to connect", () => {
    expect(() => createOracleAttributes({ components: { driver: Driver.ORACLE_ORACLEDB } })).toThrow(InvalidConnectionInfoError);
    expect(() => createOracleAttributes({ components: { driver: Driver.ORACLE_ORACLEDB, host: "h" } })).toThrow(
      /needs a service name \(the URL path, e.g. \/FREEPDB1, or \?service_name=\) or a SID/,
    );
  });
});

describe("Oracle options from URLs", () => {
  it("reads a Python oracle+cx_oracle URL with ?service_name=", () => {
    expect(fromUrl(`oracle+cx_oracle://user:${encodeURIComponent(PASSWORD)}@host:1521/?service_name=XE`)).toMatchObject({
      user: "user",
      password: PASSWORD,
      connectString: descriptor("host", 1521, "(SERVICE_NAME=XE)"),
    });
  });

  it("reads the URL path as the service name, ?sid= as a SID, and defaults the port", () => {
    expect(fromUrl("oracle://u:p@host/FREEPDB1").connectString).toBe(descriptor("host", 1521, "(SERVICE_NAME=FREEPDB1)"));
    expect(fromUrl("oracle+oracledb://u:p@host:1521/?sid=ORCL").connectString).toBe(descriptor("host", 1521, "(SID=ORCL)"));
    expect(fromUrl("oracle://u:p@[::1]:1521/FREEPDB1").connectString).toBe(descriptor("::1", 1521, "(SERVICE_NAME=FREEPDB1)"));
  });

  it("uses a connect string or a tnsnames alias as given", () => {
    expect(fromUrl("oracle://u:p@/?connect_string=db.example.com:1521/sales").connectString).toBe("db.example.com:1521/sales");
    expect(fromUrl("oracle://u:p@/?dsn=tcps://db:2484/sales").connectString).toBe("tcps://db:2484/sales");
    expect(fromUrl("oracle+oracledb://u:p@/mydb_high?config_dir=/opt/wallet")).toMatchObject({
      connectString: "mydb_high",
      configDir: "/opt/wallet",
    });
  });

  it("maps the other supported query keys", () => {
    expect(
      fromUrl(
        "oracle://u:p@h/svc?protocol=tcps&ssl_server_dn_match=false&ssl_server_cert_dn=CN%3Ddb&wallet_location=/w" +
          "&expire_time=2&retry_count=3&retry_delay=4&tcp_connect_timeout=5&stmtcachesize=40&edition=e1&encoding=UTF-8",
      ),
    ).toEqual({
      user: "u",
      password: "p",
      connectString: descriptor("h", 1521, "(SERVICE_NAME=svc)", "TCPS"),
      sslServerDNMatch: false,
      sslServerCertDN: "CN=db",
      walletLocation: "/w",
      expireTime: 2,
      retryCount: 3,
      retryDelay: 4,
      transportConnectTimeout: 5,
      stmtCacheSize: 40,
      edition: "e1",
      poolMax: 10,
      poolMin: 0,
      poolIncrement: 1,
    });
  });

  it("rejects a service named twice, a service and a SID, and unknown keys", () => {
    expect(() => fromUrl("oracle://u:p@h:1521/XE?service_name=XE")).toThrow(/names the service twice/);
    expect(() => fromUrl("oracle://u:p@h:1521/?service_name=A&sid=B")).toThrow(/either service_name or sid/);
    expect(() => fromUrl("oracle://u:p@h:1521/XE?mode=SYSDBA")).toThrow(/unknown URL query parameter "mode".*connectArgs/);
  });

  it("refuses values that would add clauses to the connect descriptor", () => {
    expect(() => fromUrl("oracle://u:p@h/?service_name=x)(HOST%3Devil")).toThrow(/must not be empty or contain/);
  });
});

describe("Oracle TLS (thin mode)", () => {
  const components = { driver: Driver.ORACLE_ORACLEDB, host: "h", port: 2484, database: "svc" } as const;

  it("ssl: true connects over TCPS; ssl: false over TCP", () => {
    expect(createOracleAttributes({ components, ssl: true }).connectString).toBe(descriptor("h", 2484, "(SERVICE_NAME=svc)", "TCPS"));
    expect(createOracleAttributes({ components, ssl: false }).connectString).toBe(descriptor("h", 2484, "(SERVICE_NAME=svc)"));
  });

  it("rejectUnauthorized: false stops matching the certificate's name", () => {
    expect(createOracleAttributes({ components, ssl: { rejectUnauthorized: false } })).toMatchObject({ sslServerDNMatch: false });
  });

  it("cert and key (and ca) become the PEM wallet", () => {
    const attributes = createOracleAttributes({ components, ssl: { ca: "CA", cert: "CERT", key: new Secret("KEY") } });
    expect(attributes.walletContent).toBe("CERT\nKEY\nCA");
  });

  it("explains that a CA alone cannot be used", () => {
    expect(() => createOracleAttributes({ components, ssl: { ca: "CA" } })).toThrow(/NODE_EXTRA_CA_CERTS/);
    expect(() => createOracleAttributes({ components, ssl: { cert: "CERT" } })).toThrow(/give both, or neither/);
  });

  it("refuses ssl with a connect string that does not use TCPS", () => {
    expect(() => fromUrl("oracle://u:p@/?connect_string=db:1521/svc", { ssl: true })).toThrow(/does not use TCPS/);
    expect(fromUrl("oracle://u:p@/?connect_string=tcps://db:2484/svc", { ssl: true }).connectString).toBe("tcps://db:2484/svc");
  });
});

describe("connectArgs", () => {
  it("are merged last", () => {
    expect(fromUrl("oracle://u:p@h/svc", { pool: { max: 5 }, connectArgs: { poolMax: 50, stmtCacheSize: 0 } })).toMatchObject({
      poolMax: 50,
      stmtCacheSize: 0,
    });
  });
});

describe("TypeORM data source options", () => {
  const settings = { components: parseConnectionUrl(`oracle://scott:${encodeURIComponent(PASSWORD)}@h:1521/svc`) };

  it("hand TypeORM the oracledb module and never ask for thick mode", () => {
    const options = createDataSourceOptions(settings);
    expect(options.type).toBe("oracle");
    expect((options as { driver?: unknown }).driver).toBe(oracledb);
    expect((options as { thickMode?: unknown }).thickMode).toBeUndefined();
    const dataSource = new DataSource(options);
    expect((dataSource.driver as unknown as { oracle: unknown }).oracle).toBe(oracledb);
    expect(oracledb.thin).toBe(true);
  });

  // That it appears exactly once, and never in the connector, is the option suite's (testkit).
  it("carry the password in the pool attributes only", () => {
    const options = createDataSourceOptions(settings);
    expect((options as { extra: { password: string } }).extra.password).toBe(PASSWORD);
    expect((options as { password?: string }).password).toBeUndefined();
  });
});
