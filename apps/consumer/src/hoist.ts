import fs from "node:fs";
import path from "node:path";
import { PNPM } from "./release.js";
import { run } from "./run.js";
import type { Context, ScenarioResult } from "./scenario.js";

/**
 * pnpm with `hoist: false`: a workspace library depends on core and the PostgreSQL driver; the
 * application depends on the library and core only. Core must still find the driver the
 * library installed (issue 11, defect 5) — before, it reported it as not installed.
 */
export async function runHoistFalse(ctx: Context): Promise<ScenarioResult> {
  const id = "pnpm-node24-hoist-false"; // Node 24: the block store needs nothing (node:sqlite)
  const started = Date.now();
  const root = path.join(ctx.work, id);
  const log = path.join(ctx.work, `${id}.log`);
  try {
    const write = (file: string, text: string): void => {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), text);
    };
    const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
    const built = ctx.coreNeedsBetterSqlite ? "onlyBuiltDependencies:\n  - better-sqlite3\n" : "";
    write("pnpm-workspace.yaml", `packages:\n  - app\n  - lib\nhoist: false\n${built}`);
    write("package.json", json({ name: "hoist-false", private: true }));
    write("lib/package.json", json({ name: "lib", private: true, type: "module", main: "index.js", dependencies: { "@sqlblocks/core": "*", "@sqlblocks/driver-postgres": "*" } }));
    write("lib/index.js", 'export const WAREHOUSE = "warehouse";\n');
    write("app/package.json", json({ name: "app", private: true, type: "module", dependencies: { lib: "workspace:*", "@sqlblocks/core": "*" } }));
    write(
      "app/main.js",
      [
        'import { SqlConnector } from "@sqlblocks/core";',
        'import { WAREHOUSE } from "lib";',
        "await new SqlConnector({ connectionInfo: process.env.DATABASE_URL }).save(WAREHOUSE, { overwrite: true });",
        "const db = await SqlConnector.load(WAREHOUSE);",
        "try {",
          '  console.log("one=" + (await db.fetchOne("SELECT 1 AS one"))?.one);',
        "} finally {",
        "  await db.close();",
        "}",
        "",
      ].join("\n"),
    );
    const env = { ...ctx.env, npm_config_registry: `${ctx.registry}/` };
    await run(PNPM[0], [...PNPM.slice(1), "install"], { cwd: root, env, log });
    if (fs.existsSync(path.join(root, "app", "node_modules", "@sqlblocks", "driver-postgres"))) {
      throw new Error("the application can see the driver directly: not the hoist=false layout under test");
    }
    const result = await run(path.join(ctx.node24.bin, "node"), ["main.js"], {
      cwd: path.join(root, "app"),
      env: { ...env, DATABASE_URL: ctx.pgUrl, SQLBLOCKS_HOME: path.join(root, "home") },
      log,
    });
    if (!/one=1/.test(result.stdout)) throw new Error(`expected one=1, got ${result.stdout}`);
    return { id, ok: true, ms: Date.now() - started };
  } catch (error) {
    return { id, ok: false, ms: Date.now() - started, error: (error as Error).message };
  }
}
