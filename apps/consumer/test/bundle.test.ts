import fs from "node:fs";
import path from "node:path";
import { BlockStore, SqlConnector } from "@sqlblocks/core";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, runNode, tempDir } from "./helpers.js";

// Issue 11, defect 1: with core's `"sideEffects": false`, esbuild dropped
// connector/sql-connector.js (which registers the block type on load) from a bundle that only
// imports `Block`, and Block.load failed with BlockTypeNotFoundError.
describe("a bundled application (esbuild --bundle --platform=node)", () => {
  const home = tempDir("sqlblocks-bundle-home-");
  // The bundle sits in core's folder so that the native addon it leaves out resolves.
  const out = path.join(ROOT, "packages", "core", "node_modules", ".cache", `bundle-test-${process.pid}`);
  afterAll(() => {
    home.remove();
    fs.rmSync(out, { recursive: true, force: true });
  });

  it("finds the sql-connector block type through Block.load", async () => {
    const store = await BlockStore.open({ home: home.dir, env: {} });
    try {
      await new SqlConnector({ connectionInfo: `sqlite+better-sqlite3:///${path.join(home.dir, "app.db")}` }).save("bundled", { store });
    } finally {
      await store.close();
    }
    fs.mkdirSync(out, { recursive: true });
    const entry = path.join(out, "entry.mjs");
    fs.writeFileSync(
      entry,
      'import { Block, closeDefaultStores } from "@sqlblocks/core";\n' +
        'const block = await Block.load("sql-connector/bundled");\n' +
        'console.log("loaded " + block.constructor.type.slug);\n' +
        "await closeDefaultStores();\n",
    );
    const bundle = path.join(out, "bundle.mjs");
    await build({
      entryPoints: [entry],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      outfile: bundle,
      external: ["better-sqlite3", "typeorm"],
      logLevel: "error",
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    });
    const result = runNode(bundle, out, { SQLBLOCKS_HOME: home.dir });
    expect(result.stderr).not.toMatch(/BlockTypeNotFoundError|no block type/);
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout.trim()).toBe("loaded sql-connector");
  }, 60_000);
});
