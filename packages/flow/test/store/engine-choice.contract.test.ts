/**
 * Which engine an application gets, seen from outside the workspace: a folder whose
 * node_modules holds only a copy of @sqlblocks/core (and its dependencies), optionally
 * better-sqlite3. On Node 22.13+ the store runs on node:sqlite with no warning printed; on
 * Node 20 without better-sqlite3 opening it is a StoreError that says what to do; with
 * better-sqlite3 present (or forced) that engine is used. CI runs this on Node 20 and 24.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const require = createRequire(import.meta.url);
const coreRoot = packageDir("@sqlblocks/core", require);
const coreRequire = createRequire(path.join(coreRoot, "package.json"));
const hasNodeSqlite = Boolean(process.getBuiltinModule?.("node:sqlite"));
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function packageDir(name: string, from: NodeRequire): string {
  let dir = path.dirname(fs.realpathSync(from.resolve(name)));
  while (!fs.existsSync(path.join(dir, "package.json")) || JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).name !== name) {
    dir = path.dirname(dir);
  }
  return dir;
}

/** An application folder with a copy of core (so core's own folder cannot lend it anything). */
function app(withBetterSqlite3: boolean): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sqlblocks-engine-app-"));
  dirs.push(dir);
  const modules = path.join(dir, "node_modules");
  fs.mkdirSync(path.join(modules, "@sqlblocks", "core"), { recursive: true });
  fs.cpSync(path.join(coreRoot, "dist"), path.join(modules, "@sqlblocks", "core", "dist"), { recursive: true });
  fs.copyFileSync(path.join(coreRoot, "package.json"), path.join(modules, "@sqlblocks", "core", "package.json"));
  // core's own dependencies (zod, @opentelemetry/api, …), as an install would bring them
  const { dependencies = {} } = JSON.parse(fs.readFileSync(path.join(coreRoot, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
  for (const name of Object.keys(dependencies)) {
    fs.mkdirSync(path.dirname(path.join(modules, name)), { recursive: true });
    fs.symlinkSync(packageDir(name, coreRequire), path.join(modules, name));
  }
  if (withBetterSqlite3) fs.symlinkSync(packageDir("better-sqlite3", coreRequire), path.join(modules, "better-sqlite3"));
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  fs.writeFileSync(
    path.join(dir, "main.js"),
    `import { getDefaultStore, SqlConnector, closeDefaultStores } from "@sqlblocks/core";
const store = await getDefaultStore();
await new SqlConnector({ connectionInfo: "postgresql+pg://app:pw@db/x" }).save("engine-check", { overwrite: true });
const loaded = await SqlConnector.load("engine-check");
console.log(JSON.stringify({ engine: store.db.engine, host: loaded.components.host }));
await closeDefaultStores();
`,
  );
  return dir;
}

function runApp(dir: string, env: NodeJS.ProcessEnv = {}) {
  const { NODE_PATH: _hoisted, NODE_OPTIONS: _options, ...base } = process.env;
  const result = spawnSync(process.execPath, ["main.js"], {
    cwd: dir,
    env: { ...base, SQLBLOCKS_HOME: path.join(dir, "home"), SQLBLOCKS_ENCRYPTION_KEY: "", SQLBLOCKS_STORE_URL: "", SQLBLOCKS_STORE_ENGINE: "", ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe(`the embedded engine an application gets on Node ${process.version}`, () => {
  it.runIf(hasNodeSqlite)("node:sqlite with nothing installed, and no warning on stderr", () => {
    const result = runApp(app(false));
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ engine: "node:sqlite", host: "db" });
  });

  it.runIf(!hasNodeSqlite)("without node:sqlite or better-sqlite3: a StoreError that says what to do", () => {
    const result = runApp(app(false));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("StoreError: cannot open the block store at");
    expect(result.stderr).toContain(`Node.js ${process.version} has no node:sqlite and better-sqlite3 is not installed`);
    expect(result.stderr).toContain("use Node.js 22.13 or later");
    expect(result.stderr).toContain("`pnpm add better-sqlite3`, then `pnpm approve-builds`");
    expect(result.stderr).toContain("SQLBLOCKS_STORE_URL=postgresql://");
  });

  it("better-sqlite3 from the application: used when there is no node:sqlite, or when forced", () => {
    const dir = app(true);
    const auto = runApp(dir);
    expect(auto.code, auto.stderr).toBe(0);
    expect(JSON.parse(auto.stdout).engine).toBe(hasNodeSqlite ? "node:sqlite" : "better-sqlite3");
    const forced = runApp(dir, { SQLBLOCKS_STORE_ENGINE: "better-sqlite3" });
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout)).toEqual({ engine: "better-sqlite3", host: "db" });
  });

  it("the same file opens with the other engine", () => {
    const dir = app(true);
    expect(runApp(dir, { SQLBLOCKS_STORE_ENGINE: "better-sqlite3" }).code).toBe(0);
    const again = runApp(dir, { SQLBLOCKS_STORE_ENGINE: hasNodeSqlite ? "node:sqlite" : "better-sqlite3" });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).host).toBe("db");
  });

  it.runIf(!hasNodeSqlite)("forcing node:sqlite where there is none names the Node version to use", () => {
    const result = runApp(app(true), { SQLBLOCKS_STORE_ENGINE: "node:sqlite" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`SQLBLOCKS_STORE_ENGINE=node:sqlite, but this Node.js ${process.version} has no node:sqlite: use Node.js 22.13 or later`);
  });
});
