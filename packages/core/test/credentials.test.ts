import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SqlConnector } from "../src/connector/sql-connector.js";
import {
  CredentialProviderError,
  registerCredentialProvider,
  unregisterCredentialProvider,
} from "../src/credentials/providers.js";
import type { ConnectionSettings, DriverPlugin } from "../src/driver/contract.js";
import { Driver } from "../src/driver/drivers.js";
import { clearDriverRegistry, registerDriver } from "../src/driver/registry.js";
import { InvalidConnectionInfoError } from "../src/errors.js";
import { BlockStore } from "../src/store/block-store.js";
import { createTestPlugin, rejection, tempDir } from "./helpers/test-plugin.js";

const TOKEN = "provider-token-do-not-store-7f3a";
let settings: ConnectionSettings[];
let dir: ReturnType<typeof tempDir>;

/** The test plug-in, serving PostgreSQL URLs too, recording the settings core hands it. */
function recordingPlugin(): DriverPlugin {
  const { plugin } = createTestPlugin({ drivers: [Driver.SQLITE_BETTER_SQLITE3, Driver.POSTGRESQL_PG] });
  return {
    ...plugin,
    passwordProviders: true,
    createDataSourceOptions(given) {
      settings.push(given);
      return plugin.createDataSourceOptions(given);
    },
  };
}

beforeEach(() => {
  settings = [];
  dir = tempDir("sqlblocks-credentials-");
  registerDriver(recordingPlugin());
});
afterEach(() => {
  clearDriverRegistry();
  unregisterCredentialProvider("test-tokens");
  delete process.env.SQLBLOCKS_TEST_TOKEN;
  dir.remove();
});

describe("credential providers", () => {
  it("a driver that does not say it takes providers is refused, instead of connecting without a password", async () => {
    clearDriverRegistry();
    const { plugin } = createTestPlugin({ drivers: [Driver.SQLITE_BETTER_SQLITE3, Driver.POSTGRESQL_PG] });
    let created = 0;
    registerDriver({
      ...plugin,
      createDataSourceOptions(given) {
        created++;
        return plugin.createDataSourceOptions(given);
      },
    });
    registerCredentialProvider("test-tokens", () => TOKEN);
    for (const connector of [
      new SqlConnector({ connectionInfo: "postgresql+pg://app@db.example/prod", passwordFrom: { provider: "test-tokens" } }),
      new SqlConnector({ connectionInfo: { driver: "postgresql+pg", username: "app", host: "db.example", password: () => TOKEN } }),
    ]) {
      const error = await rejection(connector.execute("SELECT 1"));
      expect(error).toBeInstanceOf(CredentialProviderError);
      expect(String((error as Error).message)).toContain("@sqlblocks/test-plugin cannot take a password from a credential provider");
      await connector.close();
    }
    expect(created).toBe(0);
  });

  it("a registered provider is called for each new connection and its password never reaches the block", async () => {
    let calls = 0;
    registerCredentialProvider("test-tokens", (request) => {
      calls++;
      expect(request).toMatchObject({ driver: "postgresql+pg", host: "db.example", username: "app", database: "prod" });
      return `${TOKEN}-${calls}`;
    });
    const connector = new SqlConnector({ connectionInfo: "postgresql+pg://app@db.example/prod", passwordFrom: { provider: "test-tokens" } });
    await connector.execute("SELECT 1");
    const provider = settings[0]?.passwordProvider;
    expect(provider).toBeTypeOf("function");
    expect(settings[0]?.components.password).toBeUndefined();
    expect(await provider!()).toBe(`${TOKEN}-1`);
    expect(await provider!()).toBe(`${TOKEN}-2`);

    const store = await BlockStore.open({ home: dir.dir, env: {} });
    try {
      await connector.save("with-provider", { store });
      const loaded = await SqlConnector.load("with-provider", { store });
      expect(loaded.passwordFrom).toEqual({ provider: "test-tokens" });
      expect(JSON.stringify(loaded)).not.toContain(TOKEN);
      expect(JSON.stringify(connector.toBlockData())).not.toContain(TOKEN);
      await loaded.close();
    } finally {
      await store.close();
      await connector.close();
    }
  });

  it("masks a provider's password in error texts", async () => {
    registerCredentialProvider("test-tokens", () => TOKEN);
    const connector = new SqlConnector({ connectionInfo: "postgresql+pg://app@db.example/prod", passwordFrom: { provider: "test-tokens" } });
    try {
      await connector.execute("SELECT 1");
      await settings[0]!.passwordProvider!();
      const error = await rejection(connector.execute(`SELECT '${TOKEN}' AS leaked FROM no_such_table`));
      expect(error.message).not.toContain(TOKEN);
      expect(error.message).toContain("********");
    } finally {
      await connector.close();
    }
  });

  it("reads an environment variable each time, and says when it is not set", async () => {
    const connector = new SqlConnector({ connectionInfo: "postgresql+pg://app@db.example/prod", passwordFrom: { env: "SQLBLOCKS_TEST_TOKEN" } });
    try {
      await connector.execute("SELECT 1");
      const provider = settings[0]!.passwordProvider!;
      const missing = await rejection(provider());
      expect(missing).toBeInstanceOf(CredentialProviderError);
      expect(missing.message).toMatch(/SQLBLOCKS_TEST_TOKEN, which is not set/);
      process.env.SQLBLOCKS_TEST_TOKEN = "first";
      expect(await provider()).toBe("first");
      process.env.SQLBLOCKS_TEST_TOKEN = "second";
      expect(await provider()).toBe("second");
    } finally {
      await connector.close();
    }
  });

  it("an unregistered provider is a clear error naming how to register it", async () => {
    const connector = new SqlConnector({ connectionInfo: "postgresql+pg://app@db.example/prod", passwordFrom: { provider: "test-tokens" } });
    try {
      await connector.execute("SELECT 1");
      const error = await rejection(settings[0]!.passwordProvider!());
      expect(error).toBeInstanceOf(CredentialProviderError);
      expect(error.message).toMatch(/registerCredentialProvider\("test-tokens", fn\)/);
    } finally {
      await connector.close();
    }
  });

  it("a password function works in the process but cannot be saved", async () => {
    const store = await BlockStore.open({ home: dir.dir, env: {} });
    const connector = new SqlConnector({
      connectionInfo: { driver: "postgresql+pg", host: "db.example", username: "app", password: () => TOKEN },
    });
    try {
      await connector.execute("SELECT 1");
      expect(await settings[0]!.passwordProvider!()).toBe(TOKEN);
      const error = await rejection(connector.save("fn-password", { store }));
      expect(error).toBeInstanceOf(CredentialProviderError);
      expect(error.message).toMatch(/functions cannot be stored.*registerCredentialProvider.*passwordFrom/);
      expect(await store.listDocuments()).toEqual([]);
    } finally {
      await store.close();
      await connector.close();
    }
  });

  it("refuses two password sources at once, and a malformed passwordFrom", () => {
    expect(
      () => new SqlConnector({ connectionInfo: "postgresql+pg://app:pw@db.example/prod", passwordFrom: { env: "X" } }),
    ).toThrow(InvalidConnectionInfoError);
    expect(
      () => new SqlConnector({ connectionInfo: "postgresql+pg://app@db.example/prod", passwordFrom: { vault: "x" } as never }),
    ).toThrow(InvalidConnectionInfoError);
    expect(() => registerCredentialProvider("Bad Name", () => "x")).toThrow(CredentialProviderError);
  });
});
