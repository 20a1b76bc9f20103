import fs from "node:fs";
import path from "node:path";

/** An application's node_modules: size on disk and how many packages it holds. */
export interface Footprint {
  megabytes: number;
  packages: number;
}

function walk(dir: string, visit: (file: string, stat: fs.Stats) => void, seen = new Set<string>()): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const file = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    const stat = fs.lstatSync(file);
    const key = `${stat.dev}:${stat.ino}`;
    if (seen.has(key)) continue;
    seen.add(key);
    visit(file, stat);
    if (entry.isDirectory()) walk(file, visit, seen);
  }
}

/**
 * Size (real files, each hard link once, symlinks not followed) and the number of distinct
 * `name@version` packages: what npm and pnpm layouts have in common.
 */
export function footprint(nodeModules: string): Footprint {
  let bytes = 0;
  const packages = new Set<string>();
  walk(nodeModules, (file, stat) => {
    if (stat.isFile()) bytes += stat.size;
    if (path.basename(file) === "package.json" && path.basename(path.dirname(path.dirname(file))).match(/^(node_modules|@[^/]+)$/)) {
      try {
        const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
        if (manifest.name && manifest.version) packages.add(`${manifest.name}@${manifest.version}`);
      } catch {
        // not a package manifest
      }
    }
  });
  return { megabytes: Math.round((bytes / 1024 / 1024) * 10) / 10, packages: packages.size };
}

/** Native addons (`*.node` files) under node_modules, as paths relative to it. */
export function nativeAddons(nodeModules: string): string[] {
  const found: string[] = [];
  walk(nodeModules, (file, stat) => {
    if (stat.isFile() && file.endsWith(".node")) found.push(path.relative(nodeModules, file));
  });
  return found.sort();
}
