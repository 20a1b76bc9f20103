import { pathToFileURL } from "node:url";
import { DriverLoadError, DriverNotInstalledError } from "../errors.js";
import { DRIVER_CONTRACT_VERSION, type DriverPlugin, isDriverPlugin } from "./contract.js";
import { DRIVER_PACKAGES, type Driver } from "./drivers.js";
import { installCommand } from "./install-hint.js";
import { coreVersion, locatePackage, readManifest } from "./locate.js";
import { satisfiesRange } from "./semver.js";

const registered = new Map<Driver, DriverPlugin>();
const loading = new Map<string, Promise<DriverPlugin>>();

/**
 * Registers a driver plug-in explicitly, bypassing package resolution. Useful for bundled
 * applications and tests.
 *
 * @example
 * import sqlite from "@sqlblocks/driver-sqlite";
 * registerDriver(sqlite);
 */
export function registerDriver(plugin: DriverPlugin): void {
  checkContract(plugin, plugin.packageName ?? "a registered driver");
  for (const driver of plugin.drivers) registered.set(driver, plugin);
}

/** Removes every explicitly registered and cached plug-in (for tests). */
export function clearDriverRegistry(): void {
  registered.clear();
  loading.clear();
}

function checkContract(plugin: unknown, source: string): asserts plugin is DriverPlugin {
  if (!isDriverPlugin(plugin)) {
    throw new DriverLoadError(`${source} does not export a sqlblocks driver plug-in (default export)`);
  }
  if (plugin.contractVersion !== DRIVER_CONTRACT_VERSION) {
    throw new DriverLoadError(
      `${source} implements driver contract version ${plugin.contractVersion}, but this @sqlblocks/core speaks version ${DRIVER_CONTRACT_VERSION}: install matching versions of @sqlblocks/core and ${source}`,
    );
  }
  if (typeof plugin.connect !== "function" || !Array.isArray(plugin.isolationLevels)) {
    throw new DriverLoadError(`${source} claims driver contract version ${DRIVER_CONTRACT_VERSION} but lacks connect() or isolationLevels`);
  }
}

/**
 * A driver states the lowest core it works with in its peer range on `@sqlblocks/core`
 * (`>=0.3.0 <1`). A driver built against a newer core than this one would fail while linking
 * (`does not provide an export named …`): refuse it first, naming the core it needs.
 */
function checkCoreVersion(packageName: string, root: string): void {
  const manifest = readManifest(root);
  const range = manifest?.peerDependencies?.["@sqlblocks/core"];
  const installed = coreVersion();
  if (!range || !installed || satisfiesRange(installed, range) !== false) return;
  // In the monorepo a driver may already ask for the core version its pending changeset
  // releases; a published manifest never keeps the workspace: protocol.
  if (JSON.stringify(manifest).includes('"workspace:')) return;
  throw new DriverLoadError(
    `${packageName}${manifest?.version ? ` ${manifest.version}` : ""} needs @sqlblocks/core ${range}, but @sqlblocks/core ${installed} is installed: run ${installCommand(`@sqlblocks/core@"${range}"`)}, or install an older ${packageName}`,
  );
}

async function importPlugin(driver: Driver, packageName: string, blockName: string | undefined): Promise<DriverPlugin> {
  const located = locatePackage(packageName);
  if (!located) throw new DriverNotInstalledError(driver, packageName, blockName);
  const { entry, root } = located;
  checkCoreVersion(packageName, root);
  let loaded: { default?: unknown };
  try {
    loaded = (await import(pathToFileURL(entry).href)) as { default?: unknown };
  } catch (error) {
    const missing = /module '@sqlblocks\/core[^']*' does not provide an export named '([^']+)'/.exec((error as Error).message ?? "");
    if (error instanceof SyntaxError && missing) {
      throw new DriverLoadError(
        `${packageName} needs a newer @sqlblocks/core than ${coreVersion() ?? "the installed one"} (it uses ${missing[1]}, which this core does not export): run ${installCommand("@sqlblocks/core@latest")}`,
        { cause: error },
      );
    }
    throw new DriverLoadError(`${packageName} is installed but failed to load: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const plugin = loaded.default;
  checkContract(plugin, packageName);
  if (!plugin.drivers.includes(driver)) {
    throw new DriverLoadError(`${packageName} does not serve driver ${driver}`);
  }
  return plugin;
}

/**
 * Finds the plug-in for a driver: an explicitly registered one, else the driver package
 * installed in the application.
 *
 * @throws {DriverNotInstalledError} naming the package and the install command
 * @throws {DriverLoadError} when the package exists but cannot be used; keeps the cause
 */
export async function loadDriverPlugin(driver: Driver, blockName?: string): Promise<DriverPlugin> {
  const explicit = registered.get(driver);
  if (explicit) return explicit;
  const packageName = DRIVER_PACKAGES[driver];
  let pending = loading.get(packageName);
  if (!pending) {
    pending = importPlugin(driver, packageName, blockName);
    loading.set(packageName, pending);
    pending.catch(() => loading.delete(packageName));
  }
  const plugin = await pending;
  for (const served of plugin.drivers) if (!registered.has(served)) registered.set(served, plugin);
  return plugin;
}
