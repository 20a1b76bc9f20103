import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { run } from "./run.js";

/**
 * better-sqlite3 installs a prebuilt binary that prebuild-install downloads from GitHub, out of
 * reach here; without it every install compiles the addon (minutes). The local registry serves
 * a mirror of those downloads (`npm_config_better_sqlite3_binary_host`), filled from builds of
 * the same sources: the workspace's own build for this Node, one build for Node 24, kept in
 * the cache folder.
 */
export const PREBUILD_ENV = "npm_config_better_sqlite3_binary_host";

/** The file name prebuild-install asks for. */
export function prebuildName(version: string, abi: string): string {
  return `better-sqlite3-v${version}-node-v${abi}-${process.platform}-${process.arch}.tar.gz`;
}

/** Packs `build/Release/better_sqlite3.node` of an installed better-sqlite3 as a prebuild. */
async function seed(dir: string, target: string, log: string): Promise<void> {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  await run("tar", ["-czf", `${target}.partial`, "-C", dir, "build/Release/better_sqlite3.node"], { cwd: dir, log });
  fs.renameSync(`${target}.partial`, target);
}

/**
 * Makes sure the mirror in `mirror/v<version>/` holds the prebuilds for Node 20 (this process)
 * and Node 24, building the latter once. Returns the better-sqlite3 version served.
 */
export async function ensurePrebuilds(
  mirror: string,
  workspaceRoot: string,
  node24: { bin: string; nodedir: string; abi: string },
  env: NodeJS.ProcessEnv,
  work: string,
  log: string,
): Promise<string> {
  const coreRequire = createRequire(path.join(workspaceRoot, "packages", "core", "package.json"));
  const local = path.dirname(coreRequire.resolve("better-sqlite3/package.json"));
  const version = (JSON.parse(fs.readFileSync(path.join(local, "package.json"), "utf8")) as { version: string }).version;
  const here = path.join(mirror, `v${version}`, prebuildName(version, process.versions.modules));
  if (!fs.existsSync(here)) await seed(local, here, log);
  const there = path.join(mirror, `v${version}`, prebuildName(version, node24.abi));
  if (!fs.existsSync(there)) {
    const build = path.join(work, "better-sqlite3-node24");
    fs.mkdirSync(build, { recursive: true });
    fs.writeFileSync(path.join(build, "package.json"), '{ "name": "build", "private": true }\n');
    await run("npm", ["install", "--no-audit", "--no-fund", `better-sqlite3@${version}`], {
      cwd: build,
      log,
      env: { ...env, PATH: `${node24.bin}${path.delimiter}${env.PATH ?? ""}`, npm_config_nodedir: node24.nodedir },
    });
    await seed(path.join(build, "node_modules", "better-sqlite3"), there, log);
  }
  return version;
}
