import fs from "node:fs";
import path from "node:path";
import { run } from "./run.js";

/** A package of the workspace that is published (not `private`). */
export interface PublicPackage {
  name: string;
  version: string;
  dir: string;
}

interface Manifest {
  name?: string;
  version?: string;
  private?: boolean;
}

/** The workspace's package folders, from the `packages:` globs of pnpm-workspace.yaml (`dir/*` form). */
export function workspaceFolders(root: string): string[] {
  const yaml = fs.readFileSync(path.join(root, "pnpm-workspace.yaml"), "utf8");
  const block = /^packages:\n((?:\s+-.*\n?)+)/m.exec(yaml)?.[1] ?? "";
  const globs = [...block.matchAll(/-\s*["']?([^"'\n]+)["']?/g)].map((m) => (m[1] as string).trim());
  const folders: string[] = [];
  for (const glob of globs) {
    if (!glob.endsWith("/*")) {
      folders.push(path.join(root, glob));
      continue;
    }
    const parent = path.join(root, glob.slice(0, -2));
    if (!fs.existsSync(parent)) continue;
    for (const entry of fs.readdirSync(parent).sort()) {
      if (fs.existsSync(path.join(parent, entry, "package.json"))) folders.push(path.join(parent, entry));
    }
  }
  return folders;
}

/** Every workspace package that is not private: what `pnpm -r publish` would publish. */
export function publicPackages(root: string): PublicPackage[] {
  return workspaceFolders(root).flatMap((dir) => {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as Manifest;
    if (manifest.private || !manifest.name || !manifest.version) return [];
    return [{ name: manifest.name, version: manifest.version, dir }];
  });
}

/**
 * A scratch copy of the repository: the files git knows (committed or not, ignored ones
 * left out) plus, unless `dist: false`, each package's built `dist`, so the copy can be
 * versioned and packed without touching the workspace. `git: false` copies every file of a
 * folder that is not a git checkout (a scratch copy itself), node_modules aside.
 */
export async function scratchCopy(root: string, target: string, options: { dist?: boolean; git?: boolean } = {}): Promise<void> {
  if (options.git === false) {
    fs.cpSync(root, target, { recursive: true, filter: (source) => path.basename(source) !== "node_modules" });
    return;
  }
  const listed = await run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root });
  for (const file of listed.stdout.split("\0").filter(Boolean)) {
    const from = path.join(root, file);
    if (!fs.existsSync(from)) continue;
    fs.mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
    fs.copyFileSync(from, path.join(target, file));
  }
  if (options.dist === false) return;
  for (const dir of workspaceFolders(root)) {
    const dist = path.join(dir, "dist");
    if (fs.existsSync(dist)) fs.cpSync(dist, path.join(target, path.relative(root, dist)), { recursive: true });
  }
}
