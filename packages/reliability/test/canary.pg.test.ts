/**
 * Secret canary probes against PostgreSQL: errors from a wrong host, port, password and
 * database name, TLS to a server that requires a client certificate (an ssl key the client's
 * TLS layer rejects, a certificate the server's TLS layer rejects), and a flow run on the real server — none may show the
 * password, the URL password or the ssl key, in any spelling.
 */
import path from "node:path";
import { BlockStore, closeDefaultStores, parseConnectionUrl, registerDriver, SqlConnector } from "@sqlblocks/core";
import postgresPlugin from "@sqlblocks/driver-postgres";
import sqlitePlugin from "@sqlblocks/driver-sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CanaryProbes, PASSWORD_CANARY, URL_PASSWORD_CANARY } from "./support/canary.js";
import { probeFlowRun, probeServerCase, type ServerCase } from "./support/canary-server.js";
import { PG_URL, serverGate, tempDir } from "./support/env.js";
import { FakePasswordRejectingServer } from "./support/fake-pg.js";
import { describeTlsCanary } from "./support/tls-canary.js";
import { closedPort } from "@sqlblocks/testkit";

const probes = new CanaryProbes();
const home = tempDir("canary-pg");
const target = parseConnectionUrl(PG_URL);
const fake = new FakePasswordRejectingServer();
let fakePort = 0;
let freePort = 0;

const gate = serverGate("postgres canary probes", async () => {
  registerDriver(postgresPlugin);
  const admin = new SqlConnector({ connectionInfo: PG_URL, pool: { max: 1 } });
  try {
    await admin.execute("SELECT 1");
  } finally {
    await admin.close();
  }
});

beforeAll(async () => {
  registerDriver(sqlitePlugin);
  fakePort = await fake.listen();
  freePort = await closedPort();
  const store = await BlockStore.open({ home, env: {} });
  try {
    await new SqlConnector({ connectionInfo: `sqlite+better-sqlite3:///${path.join(home, "local.db")}` }).save("local", { store });
  } finally {
    await store.close();
  }
});

afterAll(async () => {
  await fake.close();
  await closeDefaultStores();
  console.log(probes.summary("canary.pg.test.ts (PostgreSQL)"));
});

const components = (overrides: Record<string, unknown>) =>
  new SqlConnector({
    connectionInfo: {
      driver: "postgresql+pg",
      host: target.host ?? "127.0.0.1",
      port: target.port ?? 5432,
      database: target.database ?? "test",
      username: target.username ?? "postgres",
      password: PASSWORD_CANARY,
      ...overrides,
    },
    connectTimeoutMs: 5_000,
    pool: { max: 2 },
  });

const url = (host: string, port: number, database: string, username = target.username ?? "postgres") =>
  new SqlConnector({
    connectionInfo: `postgresql+pg://${username}:${encodeURIComponent(URL_PASSWORD_CANARY)}@${host}:${port}/${database}`,
    connectTimeoutMs: 5_000,
  });

const CASES: ServerCase[] = [
  { probe: "wrong host", make: () => components({ host: "no-such-host.invalid" }), driverCode: /ENOTFOUND|EAI_AGAIN/ },
  { probe: "wrong host (URL)", make: () => url("no-such-host.invalid", 5432, "test"), driverCode: /ENOTFOUND|EAI_AGAIN/ },
  { probe: "wrong port", make: () => components({ port: freePort }), driverCode: "ECONNREFUSED" },
  { probe: "wrong port (URL)", make: () => url("127.0.0.1", freePort, "test"), driverCode: "ECONNREFUSED" },
  // The local server trusts 127.0.0.1 (pg_hba.conf), so a wrong password gets in: assert just that.
  { probe: "wrong password (trust auth lets it in)", make: () => components({}), connects: true, needsServer: true },
  { probe: "wrong password (URL, trust auth lets it in)", make: () => url(target.host ?? "127.0.0.1", target.port ?? 5432, target.database ?? "test"), connects: true, needsServer: true },
  // A server that does ask for the password, and quotes it back when rejecting it.
  { probe: "wrong password (server asks, rejects, quotes it)", make: () => components({ host: "127.0.0.1", port: fakePort }), driverCode: "28P01" },
  { probe: "wrong password (URL, server asks, rejects, quotes it)", make: () => url("127.0.0.1", fakePort, "shop"), driverCode: "28P01" },
  { probe: "wrong database name", make: () => components({ database: "no_such_database_canary" }), driverCode: "3D000", needsServer: true },
  { probe: "wrong database name (URL)", make: () => url(target.host ?? "127.0.0.1", target.port ?? 5432, "no_such_database_canary"), driverCode: "3D000", needsServer: true },
];

describe("canary: PostgreSQL connection errors", () => {
  it.for(CASES.map((c, i) => [c.probe, c, i] as const))("%s: no secret in errors, renderings or the CLI", { timeout: 300_000 }, async ([, testCase, index], context) => {
    if (testCase.needsServer) gate(context);
    await probeServerCase(probes, home, `pg-case-${index}`, testCase, "pg");
  });

  it("the server that asks for the password really received the canaries", (context) => {
    gate(context);
    expect(new Set(fake.passwords)).toEqual(new Set([PASSWORD_CANARY, URL_PASSWORD_CANARY]));
    probes.record("pg: the canary password really went over the wire");
  });
});

describeTlsCanary(probes, home, "pg");

describe("canary: a flow run on PostgreSQL that fails on purpose", () => {
  it("prints and stores no secret", async (context) => {
    gate(context);
    // Blocks pg-case-4 and -5 connect (trust auth) with the canary passwords.
    await probeFlowRun(probes, home, "pg", "local", ["pg-case-4", "pg-case-5"]);
  }, 300_000);
});
