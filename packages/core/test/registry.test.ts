import fs from "node:fs";
import Module from "node:module";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SqlConnector } from "../src/connector/sql-connector.js";
import { DRIVER_CONTRACT_VERSION, type DriverPlugin } from "../src/driver/contract.js";
import { Driver } from "../src/driver/drivers.js";
import { clearDriverRegistry, loadDriverPlugin, registerDriver } from "../src/driver/registry.js";
import { DriverLoadError, DriverNotInstalledError, isSqlBlocksError } from "../src/errors.js";
import { BlockStore } from "../src/store/block-store.js";
import { createTestPlugin, rejection, tempDir } from "./helpers/test-plugin.js";

/** A plug-in module's source: a plain object, as a driver package built elsewhere would export. */
function pluginSource(overrides: Record<string, string> = {}): string {
  const fields = {
    contractVersion: String(DRIVER_CONTRACT_VERSION),
    packageName: '"@sqlblocks/driver-oracle"',
    drivers: '["oracle+oracledb"]',
    placeholderStyle: '"colon-number"',
    maxBindParameters: "65535",
    pingSql: '"SELECT 1 FROM DUAL"',
    fromFakeApp: "true",
    createDataSourceOptions: "() => ({})",
    isolationLevels: '["READ COMMITTED", "SERIALIZABLE"]',
    connect: "async () => { throw new Error('not connected in these tests'); }",
    classifyError: "() => ({ transient: false })",
    ...overrides,
  };
  const body = Object.entries(fields)
    .map(([key, value]) => `  ${key}: ${value},`)
    .join("\n");
  return `const plugin = {\n${body}\n};\nexport default plugin;\n`;
}

/**
 * A fake application with `@sqlblocks/driver-oracle` installed the way pnpm does it: the
 * package lives in `node_modules/.pnpm/…` and the app's `node_modules/@sqlblocks/driver-oracle`
 * is a symlink to it, so only the application (not core) can resolve it.
 */
function fakeApp(root: string, indexJs: string): string {
  const app = path.join(root, "app");
  const real = path.join(app, "node_modules", ".pnpm", "@sqlblocks+driver-oracle@1.0.0", "node_modules", "@sqlblocks", "driver-oracle");
  fs.mkdirSync(real, { recursive: true });
  fs.writeFileSync(
    path.join(real, "package.json"),
    JSON.stringify({ name: "@sqlblocks/driver-oracle", version: "1.0.0", type: "module", main: "index.js" }),
  );
  fs.writeFileSync(path.join(real, "index.js"), indexJs);
  fs.mkdirSync(path.join(app, "node_modules", "@sqlblocks"), { recursive: true });
  fs.symlinkSync(real, path.join(app, "node_modules", "@sqlblocks", "driver-oracle"), "dir");
  fs.writeFileSync(
    path.join(app, "package.json"),
    JSON.stringify({ name: "fake-app", type: "module", dependencies: { "@sqlblocks/driver-oracle": "^1.0.0" } }),
  );
  fs.mkdirSync(path.join(app, "dist"));
  fs.writeFileSync(path.join(app, "dist", "main.js"), "");
  return app;
}

const NOT_INSTALLED =
  'block "warehouse" uses driver postgresql+pg, but @sqlblocks/driver-postgres is not installed: run pnpm add @sqlblocks/driver-postgres';

describe("driver resolution", () => {
  let root: ReturnType<typeof tempDir>;
  let cwd: string;
  let argv1: string | undefined;

  let nodePath: string | undefined;
  const initPaths = (): void => (Module as unknown as { _initPaths(): void })._initPaths();

  // Resolution looks at process.cwd(), process.argv[1] and core's own folder. Under vitest,
  // argv[1] is vitest's worker inside node_modules/.pnpm, whose hoisted node_modules can see
  // every workspace package; point both at a place of our choosing. Core's own folder
  // (packages/core/src/driver) has no driver package above it. pnpm's bin shims also set
  // NODE_PATH to node_modules/.pnpm/node_modules, a global fallback in which every workspace
  // package is hoisted: drop it for these tests (Node reads it once, hence _initPaths).
  beforeEach(() => {
    root = tempDir();
    cwd = process.cwd();
    argv1 = process.argv[1];
    nodePath = process.env.NODE_PATH;
    delete process.env.NODE_PATH;
    initPaths();
    const empty = path.join(root.dir, "empty");
    fs.mkdirSync(empty);
    process.chdir(empty);
    process.argv[1] = path.join(empty, "main.js");
  });
  afterEach(() => {
    process.chdir(cwd);
    if (argv1 === undefined) process.argv.splice(1, 1);
    else process.argv[1] = argv1;
    if (nodePath !== undefined) process.env.NODE_PATH = nodePath;
    initPaths();
    clearDriverRegistry();
    root.remove();
  });

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
      `this connector uses driver ${driver}, but ${packageName} is not installed: run pnpm add ${packageName}`,
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
