import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { tsconfig } from "./example.js";
import { footprint, type Footprint, nativeAddons } from "./footprint.js";
import { PNPM } from "./release.js";
import { run } from "./run.js";

/** One fresh application: a package manager, a Node, a driver. */
export interface Scenario {
  id: string;
  pm: "npm" | "pnpm";
  node: 20 | 24;
  driver: "postgres" | "mysql" | "sqlite";
  /** Extra packages installed first (e.g. `typeorm@0.3`). */
  preinstall?: string[];
  /** Skip the bundle and the global CLI (the TypeORM 0.3 check needs neither). */
  short?: boolean;
}

/** What the run needs from its surroundings. */
export interface Context {
  work: string;
  workspaceRoot: string;
  registry: string;
  example: string;
  env: NodeJS.ProcessEnv;
  /** PATH prefix and node-gyp headers for Node 24. */
  node24: { bin: string; nodedir: string };
  /** Whether core still brings better-sqlite3 (until the store issue lands). */
  coreNeedsBetterSqlite: boolean;
  /** Check that core + driver-postgres has no native addon. */
  expectNoNativeAddon: boolean;
  pgUrl: string;
  mysqlUrl: string;
}

/** What one application measured. */
export interface ScenarioResult {
  id: string;
  ok: boolean;
  ms: number;
  footprint?: Footprint;
  nativeAddons?: string[];
  error?: string;
}

const require = createRequire(import.meta.url);
const TSC = require.resolve("typescript/bin/tsc");

function envFor(s: Scenario, ctx: Context, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...ctx.env, npm_config_registry: `${ctx.registry}/`, ...extra };
  if (s.node === 24) {
    env.PATH = `${ctx.node24.bin}${path.delimiter}${env.PATH ?? ""}`;
    env.npm_config_nodedir = ctx.node24.nodedir;
  }
  return env;
}

async function databaseUrl(s: Scenario, ctx: Context, app: string, log: string): Promise<string> {
  const name = `consumer_${s.id.replaceAll("-", "_")}`;
  if (s.driver === "sqlite") return `sqlite+better-sqlite3:///${path.join(app, "example.db")}`;
  if (s.driver === "postgres") {
    const url = new URL(ctx.pgUrl.replace(/^[^:]+/, "postgresql"));
    const psql = ["-h", url.hostname, "-p", url.port || "5432", "-U", decodeURIComponent(url.username) || "postgres", "-d", url.pathname.slice(1)];
    await run("psql", [...psql, "-v", "ON_ERROR_STOP=1", "-c", `DROP SCHEMA IF EXISTS ${name} CASCADE; CREATE SCHEMA ${name}`], { cwd: app, log });
    return `${ctx.pgUrl}?search_path=${name}`;
  }
  const url = new URL(ctx.mysqlUrl.replace(/^[^:]+/, "mysql"));
  const mysql = ["--protocol=tcp", "-h", url.hostname, "-P", url.port || "3306", "-u", decodeURIComponent(url.username) || "root"];
  await run("mysql", [...mysql, "-e", `DROP DATABASE IF EXISTS ${name}; CREATE DATABASE ${name}`], { cwd: app, log });
  return `${ctx.mysqlUrl.slice(0, ctx.mysqlUrl.lastIndexOf("/"))}/${name}`;
}

/** The install command of the README for `packages`, with pnpm's one approval step when needed. */
function installArgs(s: Scenario, ctx: Context, packages: string[], global?: string): [string, string[]] {
  const buildsSqlite = s.driver === "sqlite" || ctx.coreNeedsBetterSqlite || packages.some((p) => p.startsWith("better-sqlite3"));
  if (s.pm === "npm") {
    return ["npm", ["install", ...(global ? ["-g", "--prefix", global] : []), "--no-audit", "--no-fund", ...packages]];
  }
  const approve = buildsSqlite ? ["--allow-build=better-sqlite3"] : [];
  return [PNPM[0], [...PNPM.slice(1), "add", ...(global ? ["-g"] : []), ...approve, ...packages]];
}

function expectOutput(result: { stdout: string }, what: string, expected: RegExp): void {
  if (!expected.test(result.stdout)) throw new Error(`${what}: expected ${expected}, got:\n${result.stdout}`);
}

/** Runs one application from an empty folder to a bundled run and a global CLI. */
export async function runScenario(s: Scenario, ctx: Context): Promise<ScenarioResult> {
  const started = Date.now();
  const app = path.join(ctx.work, s.id);
  fs.mkdirSync(app, { recursive: true });
  const log = path.join(ctx.work, `${s.id}.log`);
  const home = path.join(app, "sqlblocks-home");
  const result: ScenarioResult = { id: s.id, ok: false, ms: 0 };
  try {
    fs.writeFileSync(path.join(app, "package.json"), `${JSON.stringify({ name: `app-${s.id}`, private: true, type: "module" }, null, 2)}\n`);
    const env = envFor(s, ctx);
    const node = s.node === 24 ? path.join(ctx.node24.bin, "node") : process.execPath;
    if (s.preinstall) {
      const [cmd, args] = installArgs(s, ctx, s.preinstall);
      await run(cmd, args, { cwd: app, env, log });
    }
    // The README: the block store is SQLite, built into Node 22.13+ (node:sqlite); on Node 20 the
    // application adds better-sqlite3 (driver-sqlite already brings it).
    const storeEngine = s.node === 20 && s.driver !== "sqlite" ? ["better-sqlite3@12"] : [];
    const [cmd, args] = installArgs(s, ctx, ["@sqlblocks/core", `@sqlblocks/driver-${s.driver}`, ...storeEngine]);
    await run(cmd, args, { cwd: app, env, log });
    result.footprint = footprint(path.join(app, "node_modules"));
    result.nativeAddons = nativeAddons(path.join(app, "node_modules"));
    if (ctx.expectNoNativeAddon && s.driver === "postgres" && storeEngine.length === 0 && !s.preinstall && result.nativeAddons.length > 0) {
      throw new Error(`core + driver-postgres installs native addons: ${result.nativeAddons.join(", ")}`);
    }

    // The README example, type-checked as an application would (moduleResolution node16 and bundler).
    fs.writeFileSync(path.join(app, "example.ts"), ctx.example);
    const typeRoots = path.join(ctx.workspaceRoot, "node_modules", "@types");
    for (const resolution of ["node16", "bundler"] as const) {
      // Declaration files are checked too (skipLibCheck false) once per package manager and
      // driver: unresolvable imports in our published types would otherwise pass as `any`.
      const skipLibCheck = !(s.node === 20 && resolution === "node16");
      fs.writeFileSync(path.join(app, `tsconfig.${resolution}.json`), JSON.stringify(tsconfig(resolution, typeRoots, "out", skipLibCheck), null, 2));
      await run(process.execPath, [TSC, "-p", `tsconfig.${resolution}.json`], { cwd: app, log });
    }

    // Run it: Node 24 runs the TypeScript as written (type stripping, native `await using`);
    // Node 20 runs what tsc compiled.
    const url = await databaseUrl(s, ctx, app, log);
    const runEnv = envFor(s, ctx, { DATABASE_URL: url, SQLBLOCKS_HOME: home });
    const entry = s.node === 24 ? "example.ts" : path.join("out", "example.js");
    expectOutput(await run(node, [entry], { cwd: app, env: runEnv, log }), `node ${entry}`, /found Marvin/);
    if (s.short) return { ...result, ok: true, ms: Date.now() - started };

    // Bundled once with esbuild, then run.
    const esbuild = path.join(ctx.workspaceRoot, "apps", "consumer", "node_modules", ".bin", "esbuild");
    await run(
      esbuild,
      [
        "example.ts",
        "--bundle",
        "--platform=node",
        "--format=esm",
        "--target=node20",
        "--outfile=bundle/example.mjs",
        "--external:better-sqlite3",
        "--log-level=error",
        "--banner:js=import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
      ],
      { cwd: app, env, log },
    );
    expectOutput(await run(node, ["bundle/example.mjs"], { cwd: app, env: runEnv, log }), "the bundle", /found Marvin/);

    // The CLI, installed globally with the driver beside it, tests the block from elsewhere.
    const global = path.join(app, "global");
    fs.mkdirSync(global, { recursive: true });
    const globalEnv = envFor(s, ctx, s.pm === "pnpm" ? { PNPM_HOME: global } : {});
    if (s.pm === "pnpm") globalEnv.PATH = `${global}${path.delimiter}${globalEnv.PATH ?? ""}`;
    const [gcmd, gargs] = installArgs(s, ctx, ["sqlblocks", `@sqlblocks/driver-${s.driver}`, ...storeEngine], global);
    // pnpm puts the store under PNPM_HOME unless told: keep the warm one.
    if (s.pm === "pnpm") gargs.push("--store-dir", path.join(os.homedir(), ".local", "share", "pnpm", "store"));
    const elsewhere = path.join(ctx.work, `${s.id}-elsewhere`);
    fs.mkdirSync(elsewhere, { recursive: true });
    await run(gcmd, gargs, { cwd: elsewhere, env: globalEnv, log });
    const sqlblocks = s.pm === "npm" ? path.join(global, "bin", "sqlblocks") : path.join(global, "sqlblocks");
    const tested = await run(sqlblocks, ["block", "test", "warehouse"], { cwd: elsewhere, env: { ...globalEnv, SQLBLOCKS_HOME: home }, log });
    expectOutput(tested, "sqlblocks block test (global)", /warehouse/);
    return { ...result, ok: true, ms: Date.now() - started };
  } catch (error) {
    return { ...result, ok: false, ms: Date.now() - started, error: (error as Error).message };
  }
}
