/**
 * Issue 2, "Done when": a canary password saved in a block appears nowhere in plain text:
 * not in the store's database or WAL bytes, JSON.stringify, util.inspect, URL rendering, or
 * error messages.
 */
import fs from "node:fs";
import path from "node:path";
import { inspect } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { maskBlockData } from "../src/blocks/serialize.js";
import { type StatementEvent, statementChannel } from "../src/connector/events.js";
import { SqlConnector } from "../src/connector/sql-connector.js";
import { Driver } from "../src/driver/drivers.js";
import { clearDriverRegistry, registerDriver } from "../src/driver/registry.js";
import { DatabaseError, InvalidUrlError } from "../src/errors.js";
import { BlockStore, STORE_FILE_NAME } from "../src/index.js";
import { createTestPlugin, rejection, tempDir } from "./helpers/test-plugin.js";

const COMPONENTS_CANARY = "CanaryComponentsPw7311";
/** Characters that a URL percent-encodes, so both spellings must stay hidden. */
const URL_CANARY = "Canary/Url@Pw:4207";
const SSL_KEY_CANARY = "CanarySslKey-5520";
const CANARIES = [COMPONENTS_CANARY, URL_CANARY, encodeURIComponent(URL_CANARY), SSL_KEY_CANARY];
const CANARY_URL = `postgresql+pg://app:${encodeURIComponent(URL_CANARY)}@db.internal:5432/shop`;

function expectNoCanary(text: string, where: string): void {
  for (const canary of CANARIES) {
    expect(text.includes(canary), `${where} contains ${canary}`).toBe(false);
  }
}

function expectNoCanaryInBytes(file: string): void {
  if (!fs.existsSync(file)) return;
  const bytes = fs.readFileSync(file);
  for (const canary of CANARIES) {
    for (const encoding of ["utf8", "utf16le"] as const) {
      expect(bytes.includes(Buffer.from(canary, encoding)), `${path.basename(file)} contains ${canary} (${encoding})`).toBe(false);
    }
  }
}

function byComponents(): SqlConnector {
  return new SqlConnector({
    connectionInfo: { driver: Driver.POSTGRESQL_PG, username: "app", password: COMPONENTS_CANARY, host: "db.internal", database: "shop" },
    ssl: { key: SSL_KEY_CANARY, ca: "public-ca" },
  });
}

function byUrl(): SqlConnector {
  return new SqlConnector({ connectionInfo: CANARY_URL, ssl: { key: SSL_KEY_CANARY } });
}

/** Every way a connector can be printed. */
function renderings(connector: SqlConnector): [string, string][] {
  return [
    ["JSON.stringify", JSON.stringify(connector)],
    ["JSON.stringify (pretty)", JSON.stringify(connector, null, 2)],
    ["util.inspect", inspect(connector)],
    ["util.inspect deep", inspect(connector, { depth: Number.POSITIVE_INFINITY, showHidden: true, getters: true })],
    ["util.inspect without custom inspect", inspect(connector, { depth: Number.POSITIVE_INFINITY, customInspect: false, showHidden: true })],
    ["template string", `${connector}`],
    ["String()", String(connector)],
    ["renderUrl()", connector.renderUrl()],
    ["toJSON()", JSON.stringify(connector.toJSON())],
    ["inspect(toJSON())", inspect(connector.toJSON(), { depth: Number.POSITIVE_INFINITY })],
    ["components", `${JSON.stringify(connector.components)} ${inspect(connector.components, { depth: 5 })}`],
    ["connectionInfo", `${JSON.stringify(connector.connectionInfo)} ${inspect(connector.connectionInfo)} ${connector.connectionInfo}`],
    ["ssl", `${JSON.stringify(connector.ssl)} ${inspect(connector.ssl)}`],
    ["toBlockData()", `${JSON.stringify(connector.toBlockData())} ${inspect(connector.toBlockData(), { depth: 5 })}`],
    ["maskBlockData", JSON.stringify(maskBlockData(connector.toBlockData()))],
  ];
}

describe("canary: printing a connector", () => {
  it.each([
    ["components", byComponents],
    ["URL", byUrl],
  ])("a connector built from %s never prints its secrets", (_kind, make) => {
    const connector = make();
    for (const [where, text] of renderings(connector)) expectNoCanary(text, where);
    // The renderings are still useful: the URL is shown with its password masked.
    expect(connector.renderUrl()).toMatch(/^postgresql\+pg:\/\/app:\*{8}@db\.internal/);
    expect(JSON.stringify(connector)).toContain('"key":"********"');
  });

  it("the secrets are there for the driver, through reveal only", () => {
    expect(byComponents().components.password?.reveal()).toBe(COMPONENTS_CANARY);
    expect(byUrl().components.password?.reveal()).toBe(URL_CANARY);
    expect(byUrl().renderUrl({ revealPassword: true })).toBe(CANARY_URL);
  });
});

describe("canary: the store's bytes", () => {
  let home: ReturnType<typeof tempDir>;
  beforeAll(() => {
    home = tempDir();
  });
  afterAll(() => home.remove());

  it("holds no canary in sqlblocks.db or its -wal, while open and after closing", async () => {
    const store = await BlockStore.open({ home: home.dir, env: {} });
    const file = path.join(home.dir, STORE_FILE_NAME);
    const files = [file, `${file}-wal`, `${file}-shm`];
    await byComponents().save("canary-components", { store });
    await byUrl().save("canary-url", { store });
    expect(fs.existsSync(`${file}-wal`)).toBe(true);
    for (const f of files) expectNoCanaryInBytes(f);

    // Load, print, overwrite with masked values: still nothing in the clear.
    const loaded = await SqlConnector.load("canary-url", { store });
    for (const [where, text] of renderings(loaded)) expectNoCanary(text, where);
    await new SqlConnector({ connectionInfo: loaded.renderUrl(), ssl: { key: "********" } }).save("canary-url", {
      store,
      overwrite: true,
    });
    expect((await SqlConnector.load("canary-url", { store })).components.password?.reveal()).toBe(URL_CANARY);
    expectNoCanary(JSON.stringify(await store.listDocuments()), "listDocuments");
    expectNoCanary(JSON.stringify(await store.listTypes()), "listTypes");
    for (const f of files) expectNoCanaryInBytes(f);

    await store.close();
    for (const f of files) expectNoCanaryInBytes(f);
    expect(fs.readFileSync(file).length).toBeGreaterThan(0);
    // And they did round-trip: the store really holds them, encrypted.
    const reopened = await BlockStore.open({ home: home.dir, env: {} });
    try {
      const components = await SqlConnector.load("canary-components", { store: reopened });
      expect(components.components.password?.reveal()).toBe(COMPONENTS_CANARY);
      expect((components.ssl as { key: { reveal(): string } }).key.reveal()).toBe(SSL_KEY_CANARY);
    } finally {
      await reopened.close();
    }
    for (const f of files) expectNoCanaryInBytes(f);
  });
});

describe("canary: error messages", () => {
  let events: StatementEvent[];
  const listener = (message: unknown): void => {
    events.push(message as StatementEvent);
  };
  const connectors: SqlConnector[] = [];
  afterEach(async () => {
    statementChannel.unsubscribe(listener);
    for (const connector of connectors.splice(0)) await connector.close();
    clearDriverRegistry();
  });

  /** A driver error that quotes the connector's secrets: its URL, its password (plain and encoded), its ssl key. */
  function leakyError(password: string): Error {
    const url = `postgresql+pg://app:${encodeURIComponent(password)}@db.internal:5432/shop`;
    const error = new Error(
      `could not connect to ${url}: password "${password}" (${encodeURIComponent(password)}) rejected; ssl key ${SSL_KEY_CANARY} refused`,
    );
    return Object.assign(error, {
      code: "28P01",
      cause: new Error(`inner: ${password} ${SSL_KEY_CANARY} ${url}`),
    });
  }

  function expectCleanError(error: unknown): void {
    expect(error).toBeInstanceOf(DatabaseError);
    const e = error as DatabaseError;
    expectNoCanary(e.message, "message");
    expectNoCanary(String(e), "String(error)");
    expectNoCanary(e.stack ?? "", "stack");
    expectNoCanary(inspect(e, { depth: Number.POSITIVE_INFINITY }), "util.inspect(error)");
    expectNoCanary(JSON.stringify(e), "JSON.stringify(error)");
    expectNoCanary(JSON.stringify({ message: e.message, sql: e.sql }), "message and sql");
    expectNoCanary(`${(e.cause as Error).message} ${(e.cause as Error).stack}`, "cause");
    expectNoCanary(inspect(e.cause, { depth: Number.POSITIVE_INFINITY }), "util.inspect(cause)");
    expect(e.driverCode).toBe("28P01");
    expect(e.message).toContain("postgresql+pg://app:********@db.internal:5432/shop");
  }

  it.each([
    ["components", byComponents, COMPONENTS_CANARY],
    ["URL", byUrl, URL_CANARY],
  ])("a driver error quoting the secrets is masked (%s)", async (_kind, make, password) => {
    const { plugin } = createTestPlugin({
      drivers: [Driver.POSTGRESQL_PG],
      // (The multi-row INSERT rewrite drops the comment, so match its text.)
      failWith: (sql) => (sql.includes("leak") || sql.startsWith("INSERT INTO t (a) VALUES") ? leakyError(password) : undefined),
    });
    registerDriver(plugin);
    events = [];
    statementChannel.subscribe(listener);
    const connector = make();
    connectors.push(connector);
    await connector.execute("CREATE TABLE t (a TEXT)");
    const run = [
      () => connector.execute("SELECT 'leak'"),
      () => connector.executeMany("INSERT INTO t (a) SELECT :a WHERE 'leak' = 'leak'", [{ a: 1 }, { a: 2 }]),
      () => connector.executeMany("INSERT INTO t (a) VALUES (:a)", [{ a: 1 }, { a: 2 }]),
      () => connector.fetchMany("SELECT 'leak'", {}, 2),
      () => connector.fetchAll("SELECT 'leak'"),
      async () => {
        for await (const _chunk of connector.stream("SELECT 'leak'")) {
          // never reached
        }
      },
      () => connector.transaction((tx) => tx.execute("SELECT 'leak'")),
    ];
    for (const [index, attempt] of run.entries()) {
      const error = await attempt().then(
        () => new Error(`attempt ${index} did not fail`),
        (caught: unknown) => caught,
      );
      expectCleanError(error);
    }
    expectNoCanary(JSON.stringify(events), "statement events");
  });

  it.each([
    ["components", byComponents, COMPONENTS_CANARY],
    ["URL", byUrl, URL_CANARY],
  ])("a connection failure quoting the secrets is masked (%s)", async (_kind, make, password) => {
    const { plugin } = createTestPlugin({ drivers: [Driver.POSTGRESQL_PG], failConnectWith: () => leakyError(password) });
    registerDriver(plugin);
    {
      const connector = make();
      connectors.push(connector);
      expectCleanError(await rejection(connector.execute("SELECT 1")));
      expectCleanError(await rejection(connector.getDataSource()));
    }
  });

  it("a malformed URL's error does not repeat its password", () => {
    for (const url of [
      `postgresql+pg://app:${URL_CANARY}@db.internal:notaport/shop`,
      `postgresql+pg://app:${COMPONENTS_CANARY}@db.internal:99999/shop`,
      `postgresql+pg://app:${COMPONENTS_CANARY}@bad host/shop`,
      `nosuchdb://app:${COMPONENTS_CANARY}@db/shop`,
    ]) {
      let error: unknown;
      try {
        new SqlConnector({ connectionInfo: url });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(Error);
      expectNoCanary(String(error), "URL error");
      expectNoCanary(inspect(error), "URL error inspect");
    }
    expect(() => new SqlConnector({ connectionInfo: `postgresql+pg://app:${COMPONENTS_CANARY}@db:x/shop` })).toThrow(InvalidUrlError);
  });
});
