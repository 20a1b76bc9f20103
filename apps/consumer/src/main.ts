/**
 * The consumer test: packs every publishable package from a versioned scratch copy (what
 * `pnpm release` would publish), serves the tarballs from a registry on 127.0.0.1, and in fresh
 * applications outside the workspace installs them as the README says, with npm and pnpm 10,
 * on Node 20 and Node 24. See README.md of this folder.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readmeExample } from "./example.js";
import { runHoistFalse } from "./hoist.js";
import { startLocalRegistry } from "./local-registry.js";
import { node24 } from "./node24.js";
import { ensurePrebuilds, PREBUILD_ENV } from "./prebuilds.js";
import { changesetVersion, PNPM, packAll, publishDryRun, type Tarball } from "./release.js";
import { pool, run } from "./run.js";
import { type Context, runScenario, type Scenario, type ScenarioResult } from "./scenario.js";
import { publicPackages, scratchCopy } from "./workspace.js";

const root = path.resolve(fileURLToPath(import.meta.url), "..", "..", "..", "..");
/** On since the store issue removed better-sqlite3 from core's dependencies (w-store merged into main). */
const EXPECT_NO_NATIVE_ADDON = true;

function cleanEnv(): NodeJS.ProcessEnv {
  // Started through `pnpm …`, the environment carries pnpm's settings and NODE_PATH: drop them.
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|PNPM_|NODE_PATH$|INIT_CWD$|TURBO_)/i.test(key)) continue;
    env[key] = value;
  }
  return env;
}

const step = async <T>(name: string, times: Record<string, number>, body: () => Promise<T>): Promise<T> => {
  const started = Date.now();
  const value = await body();
  times[name] = Date.now() - started;
  console.log(`consumer: ${name} ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return value;
};

async function checkTarballs(tarballs: readonly Tarball[], work: string, log: string): Promise<void> {
  const tool = (name: string) => path.join(root, "apps", "consumer", "node_modules", ".bin", name);
  await pool(
    2,
    tarballs.flatMap((t) => [
      () => run(tool("publint"), ["--strict", t.file], { cwd: work, log }),
      () => run(tool("attw"), [t.file, "--profile", "esm-only", "--format", "ascii"], { cwd: work, log }),
    ]),
  );
  for (const t of tarballs) {
    const listing = (await run("tar", ["-tzf", t.file], { cwd: work })).stdout.split("\n");
    if (!listing.includes("package/LICENSE")) throw new Error(`${path.basename(t.file)} has no LICENSE`);
    const manifest = JSON.parse((await run("tar", ["-xzOf", t.file, "package/package.json"], { cwd: work })).stdout) as Record<string, unknown>;
    const missing = ["repository", "homepage", "bugs", "keywords", "license"].filter((field) => manifest[field] === undefined);
    if (!(manifest.exports as Record<string, unknown> | undefined)?.["./package.json"]) missing.push('exports["./package.json"]');
    if (manifest.type !== "module") missing.push('type: "module"');
    if (missing.length > 0) throw new Error(`${t.name}'s package.json lacks ${missing.join(", ")}`);
    // The registry's page shows the README without the repository around it: links must be absolute.
    const readme = (await run("tar", ["-xzOf", t.file, "package/README.md"], { cwd: work })).stdout;
    const relative = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] as string).filter((link) => !/^(https?:|#|mailto:)/.test(link));
    if (relative.length > 0) throw new Error(`${t.name}'s README has relative links: ${relative.join(", ")}`);
  }
}

async function main(): Promise<void> {
  const times: Record<string, number> = {};
  const started = Date.now();
  const cacheDir = process.env.SQLBLOCKS_CONSUMER_CACHE ?? path.join(os.homedir(), ".cache", "sqlblocks-consumer");
  fs.mkdirSync(cacheDir, { recursive: true });
  const work = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), "sqlblocks-consumer-"));
  const log = path.join(work, "consumer.log");
  console.log(`consumer: working in ${work} (logs: ${work}/*.log)`);

  // `pnpm release` on a scratch copy: version, publish dry run, then pack what it would publish.
  const scratch = path.join(work, "release");
  const tarballs = await step("version, publish --dry-run, pack", times, async () => {
    const unbuilt = publicPackages(root).filter((p) => !fs.existsSync(path.join(p.dir, "dist")));
    if (unbuilt.length > 0) throw new Error(`build first (npx pnpm@10 build): no dist in ${unbuilt.map((p) => p.name).join(", ")}`);
    await scratchCopy(root, scratch);
    await changesetVersion(root, scratch, log);
    // pnpm resolves `workspace:` ranges from the installed workspace: link it (no scripts, store only).
    await run(PNPM[0], [...PNPM.slice(1), "install", "--prefer-offline", "--ignore-scripts", "--config.confirmModulesPurge=false"], {
      cwd: scratch,
      log,
      env: cleanEnv(),
    });
    const published = await publishDryRun(scratch, log);
    const expected = publicPackages(scratch).map((p) => p.name).sort();
    if (JSON.stringify(published) !== JSON.stringify(expected)) {
      throw new Error(`pnpm -r publish --dry-run would publish ${published.join(", ")}; expected ${expected.join(", ")}`);
    }
    return packAll(scratch, path.join(work, "tarballs"), log);
  });
  console.log(`consumer: packed ${tarballs.map((t) => `${t.name}@${t.version}`).join(", ")}`);

  const registry = await startLocalRegistry(tarballs, work, path.join(cacheDir, "prebuilds"));
  try {
    const [, node] = await Promise.all([
      step("publint --strict + attw (esm-only)", times, () => checkTarballs(tarballs, work, log)),
      step("Node 24 and better-sqlite3 prebuilds", times, async () => {
        const found = await node24(cacheDir, log);
        await ensurePrebuilds(path.join(cacheDir, "prebuilds"), root, found, cleanEnv(), work, log);
        return found;
      }),
    ]);
    const core = tarballs.find((t) => t.name === "@sqlblocks/core");
    const coreManifest = JSON.parse((await run("tar", ["-xzOf", core?.file ?? "", "package/package.json"], { cwd: work })).stdout) as {
      dependencies?: Record<string, string>;
    };
    if (EXPECT_NO_NATIVE_ADDON && coreManifest.dependencies?.["better-sqlite3"]) {
      throw new Error("@sqlblocks/core depends on better-sqlite3: core + driver-postgres would install a native addon");
    }
    const ctx: Context = {
      work,
      workspaceRoot: root,
      registry: registry.url,
      example: readmeExample(path.join(root, "README.md")),
      env: { ...cleanEnv(), [PREBUILD_ENV]: `${registry.url}/-/prebuilds` },
      node24: node,
      coreNeedsBetterSqlite: Boolean(coreManifest.dependencies?.["better-sqlite3"]),
      expectNoNativeAddon: EXPECT_NO_NATIVE_ADDON,
      pgUrl: (process.env.SQLBLOCKS_TEST_PG_URL ?? "postgresql+pg://postgres@127.0.0.1:5432/test").replace(/\?.*$/, ""),
      mysqlUrl: process.env.SQLBLOCKS_TEST_MYSQL_URL ?? "mariadb+mysql2://root@127.0.0.1:3306/test",
    };
    const scenarios: Scenario[] = [];
    for (const node of [20, 24] as const)
      for (const pm of ["npm", "pnpm"] as const)
        for (const driver of ["postgres", "mysql", "sqlite"] as const) scenarios.push({ id: `${pm}-node${node}-${driver}`, pm, node, driver });
    for (const pm of ["npm", "pnpm"] as const) {
      scenarios.push({ id: `${pm}-node20-typeorm03`, pm, node: 20, driver: "postgres", preinstall: ["typeorm@0.3"], short: true });
    }
    const only = process.env.SQLBLOCKS_CONSUMER_ONLY;
    const selected = only ? scenarios.filter((s) => new RegExp(only).test(s.id)) : scenarios;
    const concurrency = Number(process.env.SQLBLOCKS_CONSUMER_CONCURRENCY ?? 3);
    const results: ScenarioResult[] = await step(`${selected.length} applications`, times, () =>
      pool(
        concurrency,
        [...selected.map((s) => () => runScenario(s, ctx)), ...(!only || /hoist/.test(only) ? [() => runHoistFalse(ctx)] : [])].map((task) => async () => {
          const r = await task();
          console.log(`consumer: ${r.ok ? "ok  " : "FAIL"} ${r.id} ${(r.ms / 1000).toFixed(0)} s${r.footprint ? ` ${r.footprint.megabytes} MB ${r.footprint.packages} packages` : ""}`);
          return r;
        }),
      ),
    );
    report(results, times, Date.now() - started, work);
    if (results.some((r) => !r.ok)) process.exitCode = 1;
  } finally {
    await registry.stop();
  }
}

function report(results: readonly ScenarioResult[], times: Record<string, number>, totalMs: number, work: string): void {
  const lines = ["| application | result | time | node_modules | packages | native addons |", "|---|---|---|---|---|---|"];
  for (const r of results) {
    lines.push(
      `| ${r.id} | ${r.ok ? "ok" : "FAIL"} | ${(r.ms / 1000).toFixed(0)} s | ${r.footprint?.megabytes ?? "?"} MB | ${r.footprint?.packages ?? "?"} | ${r.nativeAddons?.length ?? "?"} |`,
    );
  }
  const summary = { totalSeconds: Math.round(totalMs / 1000), steps: times, results };
  fs.writeFileSync(path.join(work, "summary.json"), JSON.stringify(summary, null, 2));
  console.log(lines.join("\n"));
  for (const r of results.filter((x) => !x.ok)) console.log(`\n--- ${r.id} (log: ${work}/${r.id}.log)\n${r.error}`);
  console.log(`consumer: total ${(totalMs / 1000).toFixed(0)} s`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
