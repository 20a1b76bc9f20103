import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { DriverLoadError, DriverNotInstalledError } from "../errors.js";
import { DRIVER_CONTRACT_VERSION, type DriverPlugin, isDriverPlugin } from "./contract.js";
import { DRIVER_PACKAGES, type Driver } from "./drivers.js";

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
 * Where to look for driver packages: the application (working directory and main script)
 * first, then core's own location. Resolving from the application is what makes pnpm's
 * strict layout work: core itself does not depend on any driver.
 */
function resolutionBases(): string[] {
  const bases = [path.join(process.cwd(), "package.json")];
  const main = process.argv[1];
  if (main) bases.push(path.resolve(main));
  bases.push(import.meta.filename ?? new URL(import.meta.url).pathname);
  return bases;
}

function locatePackage(packageName: string): string | undefined {
  for (const base of resolutionBases()) {
    try {
      return createRequire(base).resolve(packageName);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") {
        throw new DriverLoadError(`could not resolve ${packageName}`, { cause: error });
      }
    }
  }
  return undefined;
}

async function importPlugin(driver: Driver, packageName: string, blockName: string | undefined): Promise<DriverPlugin> {
  const entry = locatePackage(packageName);
  if (!entry) throw new DriverNotInstalledError(driver, packageName, blockName);
  let loaded: { default?: unknown };
  try {
    loaded = (await import(pathToFileURL(entry).href)) as { default?: unknown };
  } catch (error) {
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
