import fs from "node:fs";
import path from "node:path";

/** The package managers whose install command a missing-driver error can name. */
export type PackageManager = "npm" | "pnpm" | "yarn" | "bun";

const LOCKFILES: ReadonlyArray<readonly [string, PackageManager]> = [
  ["pnpm-lock.yaml", "pnpm"],
  ["yarn.lock", "yarn"],
  ["bun.lock", "bun"],
  ["bun.lockb", "bun"],
  ["package-lock.json", "npm"],
];

/**
 * The user's package manager: from `npm_config_user_agent` (set by `npm run`, `pnpm`,
 * `yarn` and `bun` for scripts they start, e.g. `pnpm/10.0.0 npm/? node/v20.19.0 linux x64`),
 * else from the lockfile nearest to `cwd`, else npm.
 */
export function detectPackageManager(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): PackageManager {
  const agent = env.npm_config_user_agent?.split("/")[0]?.trim();
  if (agent === "npm" || agent === "pnpm" || agent === "yarn" || agent === "bun") return agent;
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    for (const [file, manager] of LOCKFILES) if (fs.existsSync(path.join(dir, file))) return manager;
    if (path.dirname(dir) === dir) return "npm";
  }
}

/** The command that adds `packageName` to the application with `manager`. */
export function installCommand(packageName: string, manager: PackageManager = detectPackageManager()): string {
  return `${manager === "npm" ? "npm install" : `${manager} add`} ${packageName}`;
}
