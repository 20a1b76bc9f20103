import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Driver } from "../src/driver/drivers.js";
import { detectPackageManager, installCommand } from "../src/driver/install-hint.js";
import { coreVersion } from "../src/driver/locate.js";
import { loadDriverPlugin } from "../src/driver/registry.js";
import { satisfiesRange } from "../src/driver/semver.js";
import { DriverLoadError, DriverNotInstalledError } from "../src/errors.js";
import { fakeApp, isolateResolution, pluginSource } from "./helpers/fake-app.js";
import { rejection } from "./helpers/test-plugin.js";

const CORE_ROOT = fileURLToPath(new URL("..", import.meta.url));
const CORE_VERSION = (JSON.parse(fs.readFileSync(path.join(CORE_ROOT, "package.json"), "utf8")) as { version: string }).version;

describe("the install command in a missing-driver error", () => {
  it.each([
    ["npm/10.8.2 node/v20.19.0 linux x64 workspaces/false", "npm", "npm install @sqlblocks/driver-postgres"],
    ["pnpm/10.34.9 npm/? node/v20.19.0 linux x64", "pnpm", "pnpm add @sqlblocks/driver-postgres"],
    ["yarn/4.9.1 npm/? node/v20.19.0 linux x64", "yarn", "yarn add @sqlblocks/driver-postgres"],
    ["bun/1.2.0 npm/? node/v22.6.0 linux x64", "bun", "bun add @sqlblocks/driver-postgres"],
  ])("npm_config_user_agent %s → %s", (agent, manager, command) => {
    expect(detectPackageManager({ npm_config_user_agent: agent }, "/")).toBe(manager);
    expect(installCommand("@sqlblocks/driver-postgres", detectPackageManager({ npm_config_user_agent: agent }, "/"))).toBe(command);
  });

  it("without a user agent (node app.js) the nearest lockfile decides, else npm", () => {
    const dir = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR ?? "/tmp"), "sqlblocks-pm-"));
    try {
      const nested = path.join(dir, "app", "src");
      fs.mkdirSync(nested, { recursive: true });
      expect(detectPackageManager({}, nested)).toBe("npm");
      for (const [file, manager] of [
        ["package-lock.json", "npm"],
        ["bun.lock", "bun"],
        ["yarn.lock", "yarn"],
        ["pnpm-lock.yaml", "pnpm"],
      ] as const) {
        fs.writeFileSync(path.join(dir, "app", file), "");
        expect(detectPackageManager({}, nested)).toBe(manager);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("driver resolution as installed by users", () => {
  const root = isolateResolution();

  it.each([
    ["npm/10.8.2 node/v20.19.0 linux x64", "npm install"],
    ["pnpm/10.34.9 npm/? node/v20.19.0 linux x64", "pnpm add"],
    ["yarn/1.22.22 npm/? node/v20.19.0 linux x64", "yarn add"],
    ["bun/1.2.0 npm/? node/v22.6.0 linux x64", "bun add"],
  ])("SPEC §2's message with the user's own package manager (%s) and the registerDriver alternative", async (agent, command) => {
    process.env.npm_config_user_agent = agent;
    const error = await rejection(loadDriverPlugin(Driver.POSTGRESQL_PG, "warehouse"));
    expect(error).toBeInstanceOf(DriverNotInstalledError);
    expect(error.message).toBe(
      `block "warehouse" uses driver postgresql+pg, but @sqlblocks/driver-postgres is not installed: run ${command} @sqlblocks/driver-postgres` +
        " (or import it and pass it to registerDriver from @sqlblocks/core)",
    );
  });

  it("core knows its own version (read from its package.json)", () => {
    expect(coreVersion()).toBe(CORE_VERSION);
  });

  it("a driver whose peer range asks for a newer core is refused before loading, naming the core it needs", async () => {
    process.env.npm_config_user_agent = "npm/10.8.2 node/v20.19.0 linux x64";
    // The module would crash if it were loaded: the check comes first.
    const app = fakeApp(root.dir, 'throw new Error("must not load");\n', {
      version: "0.4.1",
      peerDependencies: { "@sqlblocks/core": ">=0.99.0 <1" },
    });
    process.chdir(app);
    const error = await rejection(loadDriverPlugin(Driver.ORACLE_ORACLEDB, "warehouse"));
    expect(error).toBeInstanceOf(DriverLoadError);
    expect(error.message).toBe(
      `@sqlblocks/driver-oracle 0.4.1 needs @sqlblocks/core >=0.99.0 <1, but @sqlblocks/core ${CORE_VERSION} is installed: ` +
        `run npm install @sqlblocks/core@">=0.99.0 <1", or install an older @sqlblocks/driver-oracle`,
    );
  });

  it("in the monorepo (workspace: protocol still in the manifest) a range ahead of core is not judged", async () => {
    const manifest = { peerDependencies: { "@sqlblocks/core": ">=0.99.0 <1" }, devDependencies: { "@sqlblocks/core": "workspace:*" } };
    process.chdir(fakeApp(root.dir, pluginSource(), manifest));
    expect((await loadDriverPlugin(Driver.ORACLE_ORACLEDB)).packageName).toBe("@sqlblocks/driver-oracle");
  });

  it("a driver whose peer range admits this core loads", async () => {
    process.chdir(fakeApp(root.dir, pluginSource(), { peerDependencies: { "@sqlblocks/core": `>=${CORE_VERSION} <1` } }));
    expect((await loadDriverPlugin(Driver.ORACLE_ORACLEDB)).packageName).toBe("@sqlblocks/driver-oracle");
  });

  it("a driver that imports what this core lacks (range not raised) is an error naming the core, not a link crash", async () => {
    const app = fakeApp(
      root.dir,
      `import { notInThisCore } from "@sqlblocks/core/driver";\n${pluginSource()}export { notInThisCore };\n`,
      { peerDependencies: { "@sqlblocks/core": ">=0.0.1 <1" } },
    );
    fs.symlinkSync(CORE_ROOT, path.join(app, "node_modules", "@sqlblocks", "core"), "dir");
    process.chdir(app);
    const error = await rejection(loadDriverPlugin(Driver.ORACLE_ORACLEDB));
    expect(error).toBeInstanceOf(DriverLoadError);
    expect(error.message).toMatch(
      new RegExp(`^@sqlblocks/driver-oracle needs a newer @sqlblocks/core than ${CORE_VERSION.replaceAll(".", "\\.")} \\(it uses notInThisCore, which this core does not export\\): run \\S+ (install|add) @sqlblocks/core@latest$`),
    );
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it("a globally installed CLI finds a driver installed globally beside it (bin is a symlink)", async () => {
    // npm -g layout: <prefix>/lib/node_modules/{sqlblocks,@sqlblocks/driver-oracle}, <prefix>/bin/sqlblocks → ../lib/…/bin.js
    const prefix = path.join(root.dir, "global");
    const app = fakeApp(path.join(root.dir, "staging"), pluginSource());
    const lib = path.join(prefix, "lib", "node_modules");
    fs.mkdirSync(path.join(lib, "@sqlblocks"), { recursive: true });
    fs.renameSync(path.join(app, "node_modules", ".pnpm"), path.join(lib, ".pnpm"));
    fs.symlinkSync(
      path.join(lib, ".pnpm", "@sqlblocks+driver-oracle@1.0.0", "node_modules", "@sqlblocks", "driver-oracle"),
      path.join(lib, "@sqlblocks", "driver-oracle"),
    );
    fs.mkdirSync(path.join(lib, "sqlblocks", "dist"), { recursive: true });
    fs.writeFileSync(path.join(lib, "sqlblocks", "dist", "bin.js"), "");
    fs.mkdirSync(path.join(prefix, "bin"));
    fs.symlinkSync("../lib/node_modules/sqlblocks/dist/bin.js", path.join(prefix, "bin", "sqlblocks"));
    process.argv[1] = path.join(prefix, "bin", "sqlblocks");
    expect((await loadDriverPlugin(Driver.ORACLE_ORACLEDB)).packageName).toBe("@sqlblocks/driver-oracle");
  });
});

describe("peer ranges on core", () => {
  it.each([
    ["0.3.0", ">=0.3.0 <1", true],
    ["0.9.7", ">=0.3.0 <1", true],
    ["0.2.9", ">=0.3.0 <1", false],
    ["1.0.0", ">=0.3.0 <1", false],
    ["1.0.0-rc.1", ">=0.3.0 <1", true],
    ["0.3.0-beta.1", ">=0.3.0 <1", false],
    ["0.3.4", "^0.3.0", true],
    ["0.4.0", "^0.3.0", false],
    ["0.4.0", "^0", true],
    ["1.2.0", "^1.1.1", true],
    ["2.0.0", "^1.1.1", false],
    ["0.3.9", "~0.3.1", true],
    ["0.4.0", "~0.3.1", false],
    ["0.3.0", "0.3.0", true],
    ["0.3.1", "0.3", true],
    ["0.3.1", "0.2 || 0.3", true],
    ["0.1.0", "0.2 || >= 0.3.0", false],
    ["5.0.0", "*", true],
    ["0.3.0", ">0.2", true],
    ["0.2.5", ">0.2", false],
    ["0.2.5", "<=0.2", true],
  ] as const)("%s in %s → %s", (version, range, expected) => {
    expect(satisfiesRange(version, range)).toBe(expected);
  });

  it.each([["workspace:^0"], ["npm:foo@1"], ["latest"]])("a range it cannot read (%s) is not judged", (range) => {
    expect(satisfiesRange("0.1.0", range)).toBeUndefined();
  });
});
