import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { clearDriverRegistry, DatabaseError, Driver, loadDriverPlugin, SqlConnector } from "@sqlblocks/core";
import { closedPort, droppingServer } from "@sqlblocks/testkit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

const PASSWORD = "Pa55-word-canary";
const built = path.resolve("dist/index.js");

beforeAll(() => {
  if (!existsSync(built)) throw new Error("build @sqlblocks/driver-mssql first (pnpm build): core loads the built package");
});
beforeEach(() => clearDriverRegistry());
afterAll(() => clearDriverRegistry());

describe("core's driver resolution", () => {
  it("finds @sqlblocks/driver-mssql from the application for mssql+tedious", async () => {
    expect(createRequire(path.resolve("package.json")).resolve("@sqlblocks/driver-mssql")).toBe(built);
    const plugin = await loadDriverPlugin(Driver.MSSQL_TEDIOUS);
    expect(plugin.packageName).toBe("@sqlblocks/driver-mssql");
    expect(plugin.drivers).toEqual([Driver.MSSQL_TEDIOUS]);
    expect(plugin.pingSql).toBe("SELECT 1");
  });
});


async function failure(url: string): Promise<DatabaseError> {
  const connector = new SqlConnector({ connectionInfo: url, connectTimeoutMs: 5000 });
  try {
    const error = await connector.execute("SELECT 1").then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(DatabaseError);
    return error as DatabaseError;
  } finally {
    await connector.close();
  }
}

describe("a Python URL through the real mssql driver, without a server", () => {
  it("a refused connection is a transient ESOCKET error that does not show the password", async () => {
    const error = await failure(`mssql+pyodbc://sa:${PASSWORD}@127.0.0.1:${await closedPort()}/db?TrustServerCertificate=yes`);
    expect(error).toMatchObject({ code: "SQLBLOCKS_CONNECTION_LOST", driverCode: "ESOCKET", transient: true });
    expect(error.message).not.toContain(PASSWORD);
  });

  it("a connection dropped by the server is transient too", async () => {
    const server = await droppingServer();
    try {
      const error = await failure(`mssql+pymssql://sa:${PASSWORD}@127.0.0.1:${server.port}/db`);
      expect(error).toMatchObject({ driverCode: "ESOCKET", transient: true });
      expect(error.message).not.toContain(PASSWORD);
    } finally {
      await server.close();
    }
  });
});
