import fs from "node:fs";
import path from "node:path";
import { type PublicPackage, publicPackages } from "./workspace.js";
import { run } from "./run.js";

/** How to call pnpm 10 (as the README says: through npx). */
export const PNPM: readonly [string, ...string[]] = ["npx", "--yes", "pnpm@10"];

/** `changeset version` in `dir`, with the workspace's own changesets CLI. */
export async function changesetVersion(workspaceRoot: string, dir: string, log?: string): Promise<void> {
  const bin = path.join(workspaceRoot, "node_modules", "@changesets", "cli", "bin.js");
  await run(process.execPath, [bin, "version"], { cwd: dir, ...(log ? { log } : {}) });
}

/** The version of every workspace package found in `dir` (private ones too). */
export function versions(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const parent of ["packages", "apps"]) {
    const base = path.join(dir, parent);
    if (!fs.existsSync(base)) continue;
    for (const entry of fs.readdirSync(base)) {
      const file = path.join(base, entry, "package.json");
      if (!fs.existsSync(file)) continue;
      const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as { name: string; version: string };
      out[manifest.name] = manifest.version;
    }
  }
  return out;
}

/** Writes a changeset file into `dir/.changeset`. */
export function addChangeset(dir: string, id: string, bumps: Record<string, "patch" | "minor" | "major">, summary: string): void {
  const header = Object.entries(bumps)
    .map(([name, bump]) => `"${name}": ${bump}`)
    .join("\n");
  fs.writeFileSync(path.join(dir, ".changeset", `${id}.md`), `---\n${header}\n---\n\n${summary}\n`);
}

/**
 * `pnpm -r publish --dry-run` in a versioned scratch copy: what `pnpm release` would publish.
 * Returns the package names it would publish.
 */
export async function publishDryRun(dir: string, log: string): Promise<string[]> {
  const result = await run(PNPM[0], [...PNPM.slice(1), "-r", "publish", "--dry-run", "--no-git-checks", "--report-summary"], {
    cwd: dir,
    log,
  });
  const summary = path.join(dir, "pnpm-publish-summary.json");
  if (fs.existsSync(summary)) {
    const parsed = JSON.parse(fs.readFileSync(summary, "utf8")) as { publishedPackages?: { name: string }[] };
    return (parsed.publishedPackages ?? []).map((p) => p.name).sort();
  }
  return [...result.stdout.matchAll(/^\+ (\S+)@/gm)].map((m) => m[1] as string).sort();
}

/** A packed tarball of one package. */
export interface Tarball extends PublicPackage {
  file: string;
}

/** Packs every public package of `dir` (pnpm rewrites `workspace:` ranges) into `into`, in one pnpm run. */
export async function packAll(dir: string, into: string, log: string): Promise<Tarball[]> {
  fs.mkdirSync(into, { recursive: true });
  const packages = publicPackages(dir);
  const filters = packages.flatMap((p) => ["--filter", p.name]);
  const result = await run(PNPM[0], [...PNPM.slice(1), "-r", ...filters, "pack", "--pack-destination", into, "--json"], { cwd: dir, log });
  const packed = JSON.parse(result.stdout.slice(result.stdout.indexOf("["))) as { name: string; filename: string }[];
  return packages.map((pkg) => {
    const entry = packed.find((p) => p.name === pkg.name);
    if (!entry) throw new Error(`pnpm pack did not pack ${pkg.name}`);
    return { ...pkg, file: path.isAbsolute(entry.filename) ? entry.filename : path.join(into, path.basename(entry.filename)) };
  });
}
