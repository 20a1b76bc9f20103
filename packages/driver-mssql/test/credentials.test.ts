import { parseConnectionUrl, registerCredentialProvider, registerDriver, SqlConnector, unregisterCredentialProvider } from "@sqlblocks/core";
import { closedPort } from "@sqlblocks/testkit";
import type mssql from "mssql";
import { afterEach, describe, expect, it } from "vitest";
import mssqlPlugin, { ACCESS_TOKEN_AUTHENTICATION, createDataSourceOptions } from "../src/index.js";

const TOKEN = "eyJ0eXAiOiJKV1Qi-canary-token";

/** mssql's tedious pool, as far as these tests look into it. */
interface TediousPool {
  _poolCreate(): Promise<unknown>;
  _config(): { authentication: { type: string; options: Record<string, unknown> } };
}

/** A pool from the data source options, as TypeORM builds it (`new driver.ConnectionPool(extra)`). */
function poolFor(connectArgs: Record<string, unknown> | undefined, provider: () => Promise<string>, port: number): TediousPool {
  const options = createDataSourceOptions({
    components: parseConnectionUrl(`mssql+pyodbc://app@127.0.0.1:${port}/db`),
    connectTimeoutMs: 2000,
    connectArgs,
    passwordProvider: provider,
  }) as unknown as { driver: typeof mssql; extra: mssql.config };
  return new options.driver.ConnectionPool(options.extra) as unknown as TediousPool;
}

afterEach(() => unregisterCredentialProvider("entra"));

describe("SQL Server credentials from a provider, without a server", () => {
  it("are asked for before each new connection and become the login's password", async () => {
    let calls = 0;
    const pool = poolFor(undefined, async () => `${TOKEN}-${++calls}`, await closedPort());
    await expect(pool._poolCreate()).rejects.toThrow();
    expect(calls).toBe(1);
    expect(pool._config().authentication).toMatchObject({ type: "default", options: { userName: "app", password: `${TOKEN}-1` } });
    await expect(pool._poolCreate()).rejects.toThrow();
    expect(calls).toBe(2);
    expect(pool._config().authentication.options.password).toBe(`${TOKEN}-2`);
  });

  it("become the Entra ID access token with tedious's access-token authentication", async () => {
    let calls = 0;
    const pool = poolFor({ authentication: { type: ACCESS_TOKEN_AUTHENTICATION } }, async () => `${TOKEN}-${++calls}`, await closedPort());
    await expect(pool._poolCreate()).rejects.toThrow();
    expect(pool._config().authentication).toEqual({ type: ACCESS_TOKEN_AUTHENTICATION, options: { token: `${TOKEN}-1` } });
    expect(pool._config().authentication.options.password).toBeUndefined();
  });

  it("a failing provider fails the connection with its error, and no connection is attempted", async () => {
    const pool = poolFor(undefined, async () => {
      throw new Error("token service down");
    }, await closedPort());
    await expect(pool._poolCreate()).rejects.toThrow("token service down");
  });

  it("a saved block names the provider; the connector asks it on connect and never shows the token", async () => {
    registerDriver(mssqlPlugin);
    let calls = 0;
    registerCredentialProvider("entra", (request) => {
      calls++;
      expect(request).toMatchObject({ driver: "mssql+tedious", host: "127.0.0.1", username: "app", database: "db" });
      return `${TOKEN}-${calls}`;
    });
    const connector = new SqlConnector({
      connectionInfo: `mssql+pyodbc://app@127.0.0.1:${await closedPort()}/db`,
      passwordFrom: { provider: "entra" },
      connectArgs: { authentication: { type: ACCESS_TOKEN_AUTHENTICATION } },
      connectTimeoutMs: 2000,
    });
    try {
      const error = await connector.execute("SELECT 1").then(
        () => undefined,
        (caught: unknown) => caught as Error,
      );
      expect(error).toBeInstanceOf(Error);
      expect(calls).toBeGreaterThanOrEqual(1);
      expect(`${error?.message} ${error?.stack} ${JSON.stringify(error)}`).not.toContain(TOKEN);
      expect(JSON.stringify(connector)).not.toContain(TOKEN);
    } finally {
      await connector.close();
    }
  });
});
