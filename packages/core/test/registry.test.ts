import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { SqlConnector } from "../src/connector/sql-connector.js";
import type { DriverPlugin } from "../src/driver/contract.js";
import { Driver } from "../src/driver/drivers.js";
import { importOptionalPackage } from "../src/driver/locate.js";
import { clearDriverRegistry, loadDriverPlugin, registerDriver } from "../src/driver/registry.js";
import { DriverLoadError, DriverNotInstalledError, isSqlBlocksError } from "../src/errors.js";
import { BlockStore } from "../src/store/block-store.js";
import { fakeApp, isolateResolution, pluginSource } from "./helpers/fake-app.js";
import { createTestPlugin, rejection } from "./helpers/test-plugin.js";

const NOT_INSTALLED =
  'block "warehouse" uses driver postgresql+pg, but @sqlblocks/driver-postgres is not installed: run pnpm add @sqlblocks/driver-postgres (or import it and pass it to registerDriver from @sqlblocks/core)';

describe("driver resolution", () => {
  const root = isolateResolution();

  it("a missing package gives DriverNotInstalledError naming the package and the install command", async () => {
    const error = await rejection(loadDriverPlugin(Driver.POSTGRESQL_PG, "warehouse"));
    expect(error).toBeInstanceOf(DriverNotInstalledError);
    expect(error.message).toBe(NOT_INSTALLED);
    expect(error).toMatchObject({
      code: "SQLBLOCKS_DRIVER_NOT_INSTALLED",
      driver: "postgresql+pg",
      packageName: "@sqlblocks/driver-postgres",
    });
    expect(isSqlBlocksError(error)).toBe(true);
  });

  it.each([
    [Driver.MYSQL_MYSQL2, "@sqlblocks/driver-mysql"],
    [Driver.MARIADB_MYSQL2, "@sqlblocks/driver-mysql"],
    [Driver.SQLITE_BETTER_SQLITE3, "@sqlblocks/driver-sqlite"],
    [Driver.MSSQL_TEDIOUS, "@sqlblocks/driver-mssql"],
    [Driver.ORACLE_ORACLEDB, "@sqlblocks/driver-oracle"],
  ])("without a block name, %s asks for %s", async (driver, packageName) => {
    await expect(loadDriverPlugin(driver)).rejects.toThrow(
      new DriverNotInstalledError(driver, packageName, undefined).message,
    );
    expect(new DriverNotInstalledError(driver, packageName, undefined).message).toBe(
      `this connector uses driver ${driver}, but ${packageName} is not installed: run pnpm add ${packageName} (or import it and pass it to registerDriver from @sqlblocks/core)`,
    );
  });

  it("a connector loaded from a block names the block when its driver is missing", async () => {
    const home = path.join(root.dir, "home");
    const store = await BlockStore.open({ home, env: {} });
    try {
      await new SqlConnector({ connectionInfo: "postgresql+pg://app:pw@db/shop" }).save("warehouse", { store });
      const connector = await SqlConnector.load("warehouse", { store });
      const error = await rejection(connector.execute("SELECT 1"));
      expect(error).toBeInstanceOf(DriverNotInstalledError);
      expect(error.message).toBe(NOT_INSTALLED);
    } finally {
      await store.close();
    }
  });

  it("finds the package in the application's node_modules (pnpm strict layout) from the working directory", async () => {
    const app = fakeApp(root.dir, pluginSource());
    process.chdir(app);
    const plugin = await loadDriverPlugin(Driver.ORACLE_ORACLEDB, "warehouse");
    expect((plugin as DriverPlugin & { fromFakeApp?: boolean }).fromFakeApp).toBe(true);
    expect(plugin.packageName).toBe("@sqlblocks/driver-oracle");
    // Loaded once, then reused.
    expect(await loadDriverPlugin(Driver.ORACLE_ORACLEDB)).toBe(plugin);
  });

  it("finds the package from the main script when the working directory is elsewhere", async () => {
    const app = fakeApp(root.dir, pluginSource());
    process.argv[1] = path.join(app, "dist", "main.js");
    const plugin = await loadDriverPlugin(Driver.ORACLE_ORACLEDB);
    expect((plugin as DriverPlugin & { fromFakeApp?: boolean }).fromFakeApp).toBe(true);
  });

  it("importOptionalPackage finds an optional package from the application or the caller's folder, else undefined", async () => {
    expect(await importOptionalPackage("@sqlblocks/driver-oracle")).toBeUndefined();
    const app = fakeApp(root.dir, 'export const marker = "from the optional package";\n');
    // Not from the (empty) working directory, but from the folder the caller names.
    const fromCaller = await importOptionalPackage<{ marker: string }>("@sqlblocks/driver-oracle", pathToFileURL(path.join(app, "dist", "main.js")));
    expect(fromCaller?.marker).toBe("from the optional package");
    process.chdir(app);
    expect((await importOptionalPackage<{ marker: string }>("@sqlblocks/driver-oracle"))?.marker).toBe("from the optional package");
  });

  it("a package that throws while loading gives DriverLoadError keeping the cause", async () => {
    process.chdir(fakeApp(root.dir, 'throw new Error("oracledb native module missing");\n'));
    const error = await rejection(loadDriverPlugin(Driver.ORACLE_ORACLEDB, "warehouse"));
    expect(error).toBeInstanceOf(DriverLoadError);
    expect(error).not.toBeInstanceOf(DriverNotInstalledError);
    expect((error as DriverLoadError).code).toBe("SQLBLOCKS_DRIVER_LOAD");
    expect(error.message).toBe("@sqlblocks/driver-oracle is installed but failed to load: oracledb native module missing");
    expect(error.cause).toBeInstanceOf(Error);
    expect((error.cause as Error).message).toBe("oracledb native module missing");
  });

  it("a failed load is not cached: fixing the package makes the next load work", async () => {
    const app = fakeApp(root.dir, 'throw new Error("broken");\n');
    process.chdir(app);
    await expect(loadDriverPlugin(Driver.ORACLE_ORACLEDB)).rejects.toThrow(DriverLoadError);
    // A fixed package at a new path (the module loader caches by URL).
    const fixed = fakeApp(path.join(root.dir, "fixed"), pluginSource());
    process.chdir(fixed);
    expect((await loadDriverPlugin(Driver.ORACLE_ORACLEDB)).packageName).toBe("@sqlblocks/driver-oracle");
  });

  it("a plug-in built for another contract version is refused, naming both versions", async () => {
    process.chdir(fakeApp(root.dir, pluginSource({ contractVersion: "99" })));
    const error = await rejection(loadDriverPlugin(Driver.ORACLE_ORACLEDB));
    expect(error).toBeInstanceOf(DriverLoadError);
    expect(error.message).toBe(
      "@sqlblocks/driver-oracle implements driver contract version 99, but this @sqlblocks/core speaks version 2: " +
        "install matching versions of @sqlblocks/core and @sqlblocks/driver-oracle",
    );
  });

  it("a version 1 driver (statements on TypeORM's QueryRunner, no connect) is refused with the version error", async () => {
    const v1 = pluginSource({
      contractVersion: "1",
      connect: "undefined",
      isolationLevels: "undefined",
      query: "async () => ({ rows: [], rowCount: 0 })",
      openCursor: "async () => ({ read: async () => [], close: async () => {} })",
    });
    process.chdir(fakeApp(root.dir, v1));
    const error = await rejection(loadDriverPlugin(Driver.ORACLE_ORACLEDB));
    expect(error).toBeInstanceOf(DriverLoadError);
    expect(error.message).toBe(
      "@sqlblocks/driver-oracle implements driver contract version 1, but this @sqlblocks/core speaks version 2: " +
        "install matching versions of @sqlblocks/core and @sqlblocks/driver-oracle",
    );
  });

  it("a package whose default export is not a plug-in is refused", async () => {
    process.chdir(fakeApp(root.dir, "export default { hello: 'world' };\n"));
    await expect(loadDriverPlugin(Driver.ORACLE_ORACLEDB)).rejects.toThrow(
      new DriverLoadError("@sqlblocks/driver-oracle does not export a sqlblocks driver plug-in (default export)"),
    );
  });

  it("a plug-in that does not serve the driver is refused", async () => {
    process.chdir(fakeApp(root.dir, pluginSource({ drivers: '["postgresql+pg"]' })));
    await expect(loadDriverPlugin(Driver.ORACLE_ORACLEDB)).rejects.toThrow(
      new DriverLoadError("@sqlblocks/driver-oracle does not serve driver oracle+oracledb"),
    );
  });

  it("an explicitly registered plug-in wins over an installed package", async () => {
    process.chdir(fakeApp(root.dir, pluginSource()));
    const { plugin } = createTestPlugin({ drivers: [Driver.ORACLE_ORACLEDB, Driver.POSTGRESQL_PG] });
    registerDriver(plugin);
    expect(await loadDriverPlugin(Driver.ORACLE_ORACLEDB)).toBe(plugin);
    expect(await loadDriverPlugin(Driver.POSTGRESQL_PG, "warehouse")).toBe(plugin);
    // clearDriverRegistry forgets it: resolution is back to the installed package.
    clearDriverRegistry();
    const installed = await loadDriverPlugin(Driver.ORACLE_ORACLEDB);
    expect(installed).not.toBe(plugin);
    expect((installed as DriverPlugin & { fromFakeApp?: boolean }).fromFakeApp).toBe(true);
    await expect(loadDriverPlugin(Driver.POSTGRESQL_PG, "warehouse")).rejects.toThrow(NOT_INSTALLED);
  });

  it("registerDriver refuses a plug-in for another contract version or not a plug-in at all", () => {
    const { plugin } = createTestPlugin();
    expect(() => registerDriver({ ...plugin, contractVersion: 1 as unknown as 2 })).toThrow(
      new DriverLoadError(
        "@sqlblocks/test-plugin implements driver contract version 1, but this @sqlblocks/core speaks version 2: " +
          "install matching versions of @sqlblocks/core and @sqlblocks/test-plugin",
      ),
    );
    expect(() => registerDriver({ packageName: "x" } as unknown as DriverPlugin)).toThrow(
      new DriverLoadError("x does not export a sqlblocks driver plug-in (default export)"),
    );
  });
});
