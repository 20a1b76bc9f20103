/**
 * Secret canary probes against MariaDB (and MySQL): errors from a wrong host, port,
 * password and database name, TLS to a server that requires a client certificate (an ssl
 * key the client's TLS layer rejects, a certificate the server's TLS layer rejects), and a flow run on the real server with users whose
 * passwords are the canaries — none may show a secret, in any spelling.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { BlockStore, closeDefaultStores, parseConnectionUrl, registerDriver, SqlConnector } from "@sqlblocks/core";
import mysqlPlugin from "@sqlblocks/driver-mysql";
import sqlitePlugin from "@sqlblocks/driver-sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CanaryProbes, PASSWORD_CANARY, URL_PASSWORD_CANARY } from "./support/canary.js";
import { probeFlowRun, probeServerCase, type ServerCase } from "./support/canary-server.js";
import { MYSQL_URL, serverGate, tempDir, uniqueName } from "./support/env.js";
import { describeTlsCanary } from "./support/tls-canary.js";
import { closedPort } from "@sqlblocks/testkit";

const probes = new CanaryProbes();
const home = tempDir("canary-mysql");
const target = parseConnectionUrl(MYSQL_URL);
const host = target.host ?? "127.0.0.1";
const port = target.port ?? 3306;
const database = target.database ?? "test";
/** A user whose real password is not the canary: connecting with the canary is a wrong password. */
const wrongPasswordUser = uniqueName("sqlb_wpw");
/** Users whose passwords ARE the canaries, so a flow can connect and then fail on purpose. */
const componentsUser = uniqueName("sqlb_cpw");
const urlUser = uniqueName("sqlb_upw");
let admin: SqlConnector | undefined;
let freePort = 0;

/** A MariaDB string literal (NO_BACKSLASH_ESCAPES off: escape both quote and backslash). */
const literal = (text: string) => `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;

const gate = serverGate("mysql canary probes", async () => {
  registerDriver(mysqlPlugin);
  admin = new SqlConnector({ connectionInfo: MYSQL_URL, pool: { max: 1 } });
  await admin.execute("SELECT 1");
  for (const [user, password] of [
    [wrongPasswordUser, `right-${randomBytes(8).toString("hex")}`],
    [componentsUser, PASSWORD_CANARY],
    [urlUser, URL_PASSWORD_CANARY],
  ] as const) {
    for (const from of ["%", "localhost"]) {
      await admin.execute(`CREATE USER '${user}'@'${from}' IDENTIFIED BY ${literal(password)}`);
      await admin.execute(`GRANT ALL ON \`${database}\`.* TO '${user}'@'${from}'`);
    }
  }
});

beforeAll(async () => {
  registerDriver(sqlitePlugin);
  freePort = await closedPort();
  const store = await BlockStore.open({ home, env: {} });
  try {
    await new SqlConnector({ connectionInfo: `sqlite+better-sqlite3:///${path.join(home, "local.db")}` }).save("local", { store });
  } finally {
    await store.close();
  }
});

afterAll(async () => {
  if (admin) {
    for (const user of [wrongPasswordUser, componentsUser, urlUser]) {
      for (const from of ["%", "localhost"]) await admin.execute(`DROP USER IF EXISTS '${user}'@'${from}'`).catch(() => undefined);
    }
    await admin.close();
  }
  await closeDefaultStores();
  console.log(probes.summary("canary.mysql.test.ts (MariaDB)"));
});

const components = (overrides: Record<string, unknown>) =>
  new SqlConnector({
    connectionInfo: { driver: "mariadb+mysql2", host, port, database, username: componentsUser, password: PASSWORD_CANARY, ...overrides },
    connectTimeoutMs: 5_000,
    pool: { max: 2 },
  });

const url = (options: { host?: string; port?: number; database?: string; user?: string }) =>
  new SqlConnector({
    connectionInfo: `mysql+pymysql://${options.user ?? urlUser}:${encodeURIComponent(URL_PASSWORD_CANARY)}@${options.host ?? host}:${options.port ?? port}/${options.database ?? database}`,
    connectTimeoutMs: 5_000,
  });

const CASES: ServerCase[] = [
  { probe: "wrong host", make: () => components({ host: "no-such-host.invalid" }), driverCode: /ENOTFOUND|EAI_AGAIN/ },
  { probe: "wrong host (URL)", make: () => url({ host: "no-such-host.invalid" }), driverCode: /ENOTFOUND|EAI_AGAIN/ },
  { probe: "wrong port", make: () => components({ port: freePort }), driverCode: "ECONNREFUSED" },
  { probe: "wrong port (URL)", make: () => url({ port: freePort }), driverCode: "ECONNREFUSED" },
  { probe: "wrong password", make: () => components({ username: wrongPasswordUser }), driverCode: /ER_ACCESS_DENIED_ERROR|1045/, needsServer: true },
  { probe: "wrong password (URL)", make: () => url({ user: wrongPasswordUser }), driverCode: /ER_ACCESS_DENIED_ERROR|1045/, needsServer: true },
  { probe: "wrong database name", make: () => components({ database: "no_such_database_canary" }), driverCode: /ER_DBACCESS_DENIED_ERROR|ER_BAD_DB_ERROR|104[49]/, needsServer: true },
  { probe: "wrong database name (URL)", make: () => url({ database: "no_such_database_canary" }), driverCode: /ER_DBACCESS_DENIED_ERROR|ER_BAD_DB_ERROR|104[49]/, needsServer: true },
  { probe: "right password (connects, then a statement fails)", make: () => components({}), connects: true, needsServer: true },
  { probe: "right password (URL; connects, then a statement fails)", make: () => url({}), connects: true, needsServer: true },
];

describe("canary: MariaDB connection errors", () => {
  it.for(CASES.map((c, i) => [c.probe, c, i] as const))("%s: no secret in errors, renderings or the CLI", { timeout: 300_000 }, async ([, testCase, index], context) => {
    if (testCase.needsServer) gate(context);
    await probeServerCase(probes, home, `mysql-case-${index}`, testCase, "mysql");
  });
});

describeTlsCanary(probes, home, "mysql");

describe("canary: a flow run on MariaDB that fails on purpose", () => {
  it("prints and stores no secret", async (context) => {
    gate(context);
    const blocks = CASES.flatMap((c, i) => (c.connects ? [`mysql-case-${i}`] : []));
    expect(blocks).toHaveLength(2);
    await probeFlowRun(probes, home, "mysql", "local", blocks);
  }, 300_000);
});
