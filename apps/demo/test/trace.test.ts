import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const appRoot = path.resolve(import.meta.dirname, "..");
const home = mkdtempSync(path.join(os.tmpdir(), "sqlblocks-trace-home-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

// What the README promises: `pnpm --filter @sqlblocks/demo trace` prints the quickstart's trace.
describe("the quickstart's trace (dist/tracing.js: console exporter)", () => {
  it("prints the flow, task and statement spans as well as the demo's output", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, SQLBLOCKS_HOME: home, SQLITE_DB_PATH: path.join(home, "demo.db") };
    delete env.DEMO_URL;
    delete env.SQLBLOCKS_DEMO_BLOCK;
    const { stdout } = await run(process.execPath, ["--import", "./dist/tracing.js", "dist/index.js"], { cwd: appRoot, env });
    expect(stdout).toContain("Fetched Data:");
    const names = [...stdout.matchAll(/^ {2}name: '([^']+)',$/gm)].map((match) => match[1]);
    expect(names).toEqual([
      "CREATE TABLE customers",
      "DELETE customers",
      "INSERT customers",
      "BATCH INSERT customers",
      "task setupTable",
      // Two pages from the cursor; the third fetchMany finds the result read out without a round trip.
      "SELECT customers",
      "SELECT customers",
      "task fetchData",
      "flow quickstart",
    ]);
    expect(stdout).toContain("'db.system.name': 'sqlite'");
    expect(stdout).toContain("'db.query.text': 'INSERT INTO customers (name, address) VALUES (:name, :address)'");
    expect(stdout).toContain("'db.operation.batch.size': 2");
    // Parameter values stay out of the trace.
    expect(stdout.split("Fetched Data:")[0]).not.toContain("Marvin");
  });
});
