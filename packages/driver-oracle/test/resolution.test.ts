import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { clearDriverRegistry, DatabaseError, Driver, loadDriverPlugin, SqlConnector } from "@sqlblocks/core";
import { closedPort, droppingServer } from "@sqlblocks/testkit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

const PASSWORD = "Pa55-word-canary";
const built = path.resolve("dist/index.js");

beforeAll(() => {
  if (!existsSync(built)) throw new Error("build @sqlblocks/driver-oracle first (pnpm build): core loads the built package");
});
beforeEach(() => clearDriverRegistry());
afterAll(() => clearDriverRegistry());

describe("core's driver resolution", () => {
  it("finds @sqlblocks/driver-oracle from the application for oracle+oracledb", async () => {
    expect(createRequire(path.resolve("package.json")).resolve("@sqlblocks/driver-oracle")).toBe(built);
    const plugin = await loadDriverPlugin(Driver.ORACLE_ORACLEDB);
    expect(plugin.packageName).toBe("@sqlblocks/driver-oracle");
    expect(plugin.drivers).toEqual([Driver.ORACLE_ORACLEDB]);
    expect(plugin.pingSql).toBe("SELECT 1 FROM DUAL");
  });
});

async function failure(url: string): Promise<DatabaseError> {
  const connector = new SqlConnector({ connectionInfo: url, connectTimeoutMs: 5000 });
  try {
    const error = await connector.execute("SELECT 1 FROM DUAL").then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(DatabaseError);
    return error as DatabaseError;
  } finally {
    await connector.close();
  }
}

describe("a Python URL through the real node-oracledb thin driver, without a server", () => {
  it("a refused connection is a transient NJS-503 error that does not show the password", async () => {
    const error = await failure(`oracle+cx_oracle://scott:${PASSWORD}@127.0.0.1:${await closedPort()}/?service_name=XE`);
    expect(error).toMatchObject({ code: "SQLBLOCKS_CONNECTION_LOST", driverCode: "NJS-503", transient: true });
    expect(error.message).not.toContain(PASSWORD);
  });

  it("a connection dropped by the server is transient too", async () => {
    const server = await droppingServer();
    try {
      const error = await failure(`oracle://scott:${PASSWORD}@127.0.0.1:${server.port}/FREEPDB1`);
      expect(error.transient).toBe(true);
      expect(error.driverCode).toMatch(/^NJS-5\d\d$/);
      expect(error.message).not.toContain(PASSWORD);
    } finally {
      await server.close();
    }
  });
});
