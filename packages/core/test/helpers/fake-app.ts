import fs from "node:fs";
import Module from "node:module";
import path from "node:path";
import { afterEach, beforeEach } from "vitest";
import { DRIVER_CONTRACT_VERSION } from "../../src/driver/contract.js";
import { clearDriverRegistry } from "../../src/driver/registry.js";
import { tempDir } from "./test-plugin.js";

/** A plug-in module's source: a plain object, as a driver package built elsewhere would export. */
export function pluginSource(overrides: Record<string, string> = {}): string {
  const fields = {
    contractVersion: String(DRIVER_CONTRACT_VERSION),
    packageName: '"@sqlblocks/driver-oracle"',
    drivers: '["oracle+oracledb"]',
    placeholderStyle: '"colon-number"',
    maxBindParameters: "65535",
    pingSql: '"SELECT 1 FROM DUAL"',
    fromFakeApp: "true",
    createDataSourceOptions: "() => ({})",
    isolationLevels: '["READ COMMITTED", "SERIALIZABLE"]',
    connect: "async () => { throw new Error('not connected in these tests'); }",
    classifyError: "() => ({ transient: false })",
    ...overrides,
  };
  const body = Object.entries(fields)
    .map(([key, value]) => `  ${key}: ${value},`)
    .join("\n");
  return `const plugin = {\n${body}\n};\nexport default plugin;\n`;
}

/**
 * A fake application with `@sqlblocks/driver-oracle` installed the way pnpm does it: the
 * package lives in `node_modules/.pnpm/…` and the app's `node_modules/@sqlblocks/driver-oracle`
 * is a symlink to it, so only the application (not core) can resolve it.
 */
export function fakeApp(root: string, indexJs: string, manifest: Record<string, unknown> = {}): string {
  const app = path.join(root, "app");
  const real = path.join(app, "node_modules", ".pnpm", "@sqlblocks+driver-oracle@1.0.0", "node_modules", "@sqlblocks", "driver-oracle");
  fs.mkdirSync(real, { recursive: true });
  fs.writeFileSync(
    path.join(real, "package.json"),
    JSON.stringify({ name: "@sqlblocks/driver-oracle", version: "1.0.0", type: "module", main: "index.js", ...manifest }),
  );
  fs.writeFileSync(path.join(real, "index.js"), indexJs);
  fs.mkdirSync(path.join(app, "node_modules", "@sqlblocks"), { recursive: true });
  fs.symlinkSync(real, path.join(app, "node_modules", "@sqlblocks", "driver-oracle"), "dir");
  fs.writeFileSync(
    path.join(app, "package.json"),
    JSON.stringify({ name: "fake-app", type: "module", dependencies: { "@sqlblocks/driver-oracle": "^1.0.0" } }),
  );
  fs.mkdirSync(path.join(app, "dist"));
  fs.writeFileSync(path.join(app, "dist", "main.js"), "");
  return app;
}

/**
 * Isolates driver resolution for the tests of one describe block and returns the temp root.
 *
 * Resolution looks at process.cwd(), process.argv[1] and core's own folder. Under vitest,
 * argv[1] is vitest's worker inside node_modules/.pnpm, whose hoisted node_modules can see
 * every workspace package; point both at a place of our choosing. Core's own folder
 * (packages/core/src/driver) has no driver package above it. pnpm's bin shims also set
 * NODE_PATH to node_modules/.pnpm/node_modules, a global fallback in which every workspace
 * package is hoisted: drop it for these tests (Node reads it once, hence _initPaths).
 */
export function isolateResolution(): { readonly dir: string } {
  let root: ReturnType<typeof tempDir>;
  let cwd: string;
  let argv1: string | undefined;
  let nodePath: string | undefined;
  let agent: string | undefined;
  const initPaths = (): void => (Module as unknown as { _initPaths(): void })._initPaths();
  const handle = { dir: "" };
  beforeEach(() => {
    root = tempDir();
    handle.dir = root.dir;
    cwd = process.cwd();
    argv1 = process.argv[1];
    nodePath = process.env.NODE_PATH;
    delete process.env.NODE_PATH;
    initPaths();
    // The missing-driver message names the user's package manager: pin it.
    agent = process.env.npm_config_user_agent;
    process.env.npm_config_user_agent = "pnpm/10.0.0 npm/? node/v20.19.0 linux x64";
    const empty = path.join(root.dir, "empty");
    fs.mkdirSync(empty);
    process.chdir(empty);
    process.argv[1] = path.join(empty, "main.js");
  });
  afterEach(() => {
    process.chdir(cwd);
    if (argv1 === undefined) process.argv.splice(1, 1);
    else process.argv[1] = argv1;
    if (nodePath !== undefined) process.env.NODE_PATH = nodePath;
    if (agent === undefined) delete process.env.npm_config_user_agent;
    else process.env.npm_config_user_agent = agent;
    initPaths();
    clearDriverRegistry();
    root.remove();
  });
  return handle;
}
