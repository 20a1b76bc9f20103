import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { DriverLoadError } from "../errors.js";

/** Where a driver package was found: its entry file and its folder (with package.json). */
export interface LocatedPackage {
  entry: string;
  root: string;
}

const realpath = (file: string): string => {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
};

/** This copy of core's folder (the one holding its package.json), if it can be told. */
function coreRoot(): string | undefined {
  const here = import.meta.filename ?? new URL(import.meta.url).pathname;
  for (let dir = path.dirname(realpath(here)); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const manifest = readManifest(dir);
    if (manifest) return manifest.name === "@sqlblocks/core" ? dir : undefined;
  }
  return undefined;
}

/** A folder's package.json, or undefined when it has none (or it cannot be read). */
export function readManifest(dir: string): { name?: string; version?: string; peerDependencies?: Record<string, string> } | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  } catch {
    return undefined;
  }
}

/** The version of this copy of `@sqlblocks/core`, undefined when bundled (no package.json). */
export function coreVersion(): string | undefined {
  const root = coreRoot();
  return root ? readManifest(root)?.version : undefined;
}

/**
 * Where to look for driver packages, in order: the application (working directory and main
 * script, also through its real path so that a globally installed CLI finds drivers
 * installed globally beside it), then core's own location.
 */
function resolutionBases(from: string | undefined): string[] {
  const bases = [path.join(process.cwd(), "package.json")];
  const main = process.argv[1];
  if (main) {
    bases.push(path.resolve(main));
    const real = realpath(path.resolve(main));
    if (real !== path.resolve(main)) bases.push(real);
  }
  if (from) bases.push(from);
  bases.push(import.meta.filename ?? new URL(import.meta.url).pathname);
  return bases;
}

function packageRootOf(entry: string, packageName: string): string {
  for (let dir = path.dirname(entry); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    if (readManifest(dir)?.name === packageName) return dir;
  }
  return path.dirname(entry);
}

/**
 * pnpm without hoisting (`hoist=false`) keeps a package that only a workspace library
 * depends on inside the virtual store, out of the application's reach. Core lives in the
 * same store (`…/node_modules/.pnpm/@sqlblocks+core@x/node_modules/@sqlblocks/core`): a driver
 * whose own `@sqlblocks/core` peer is this very core is the one the library installed.
 */
function locateInVirtualStore(packageName: string): string | undefined {
  const root = coreRoot();
  if (!root) return undefined;
  const realCore = realpath(root);
  const marker = `${path.sep}node_modules${path.sep}.pnpm${path.sep}`;
  const at = realCore.lastIndexOf(marker);
  if (at === -1) return undefined;
  const store = realCore.slice(0, at + marker.length - 1);
  const prefix = `${packageName.replace("/", "+")}@`;
  let entries: string[];
  try {
    entries = fs.readdirSync(store).filter((entry) => entry.startsWith(prefix));
  } catch {
    return undefined;
  }
  for (const entry of entries.sort().reverse()) {
    const modules = path.join(store, entry, "node_modules");
    const candidate = path.join(modules, ...packageName.split("/"));
    if (realpath(path.join(modules, "@sqlblocks", "core")) !== realCore) continue;
    try {
      return createRequire(path.join(candidate, "package.json")).resolve(packageName);
    } catch {
      // not this one
    }
  }
  return undefined;
}

/**
 * Finds an installed package (a driver, or another optional peer), or undefined when none is
 * reachable. `from` (a module's file) is tried after the application and before core.
 */
export function locatePackage(packageName: string, from?: string): LocatedPackage | undefined {
  for (const base of resolutionBases(from)) {
    try {
      const entry = createRequire(base).resolve(packageName);
      return { entry, root: packageRootOf(entry, packageName) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") {
        throw new DriverLoadError(`could not resolve ${packageName}`, { cause: error });
      }
    }
  }
  const entry = locateInVirtualStore(packageName);
  return entry ? { entry, root: packageRootOf(entry, packageName) } : undefined;
}

/**
 * Imports an optional package the way drivers are found: from the application first (its
 * working directory and main script), then from `from` (the caller's `import.meta.url`, e.g.
 * a globally installed CLI finding a package installed beside it), then beside core. Returns
 * `undefined` when the package is not installed, so the caller can name it in its own error.
 *
 * @example
 * const ui = await importOptionalPackage<typeof import("@sqlblocks/ui")>("@sqlblocks/ui", import.meta.url);
 * if (!ui) throw new Error("run pnpm add @sqlblocks/ui");
 */
export async function importOptionalPackage<T = unknown>(packageName: string, from?: string | URL): Promise<T | undefined> {
  const base = from === undefined ? undefined : typeof from === "string" && !from.startsWith("file:") ? from : fileURLToPath(from);
  const located = locatePackage(packageName, base);
  return located ? ((await import(pathToFileURL(located.entry).href)) as T) : undefined;
}
