import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { BlockStore, SqlConnector } from "@sqlblocks/core";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { HERE, ROOT, runNode, tempDir } from "./helpers.js";

const PG = process.env.SQLBLOCKS_TEST_PG_URL ?? "postgresql+pg://postgres@127.0.0.1:5432/test";
const MYSQL = process.env.SQLBLOCKS_TEST_MYSQL_URL ?? "mariadb+mysql2://root@127.0.0.1:3306/test";
const SCHEMA = `consumer_flow_readme_${process.pid}`;

/** The first ```ts block of the flow README's "Example" section. */
function flowExample(): string {
  const readme = fs.readFileSync(path.join(ROOT, "packages", "flow", "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Example"));
  return (/```ts\n([\s\S]*?)```/.exec(section) as RegExpExecArray)[1] as string;
}

function admin(kind: "pg" | "mysql", sql: string): boolean {
  const url = new URL((kind === "pg" ? PG : MYSQL).replace(/^[^:]+/, "x"));
  const result =
    kind === "pg"
      ? spawnSync("psql", ["-h", url.hostname, "-p", url.port || "5432", "-U", url.username || "postgres", "-d", url.pathname.slice(1), "-v", "ON_ERROR_STOP=1", "-c", sql])
      : spawnSync("mysql", ["--protocol=tcp", "-h", url.hostname, "-P", url.port || "3306", "-u", url.username || "root", "-e", sql]);
  return result.status === 0;
}

// Issue 11, defect 7: count(*) arrives as a string on PostgreSQL and MySQL; the example typed it
// as a number and summed "0" + "2" + "1" into "021".
describe("the flow README example", () => {
  const home = tempDir("sqlblocks-flow-readme-");
  const out = path.join(HERE, "node_modules", ".cache", `flow-readme-${process.pid}`);
  afterAll(() => {
    home.remove();
    fs.rmSync(out, { recursive: true, force: true });
    admin("pg", `DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    admin("mysql", `DROP DATABASE IF EXISTS ${SCHEMA}`);
  });

  const targets: Array<[string, () => string | undefined]> = [
    ["SQLite", () => `sqlite+better-sqlite3:///${path.join(home.dir, "orders.db")}`],
    ["PostgreSQL", () => (admin("pg", `DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE; CREATE SCHEMA ${SCHEMA}`) ? `${PG}?search_path=${SCHEMA}` : undefined)],
    ["MySQL", () => (admin("mysql", `DROP DATABASE IF EXISTS ${SCHEMA}; CREATE DATABASE ${SCHEMA}`) ? `${MYSQL.slice(0, MYSQL.lastIndexOf("/"))}/${SCHEMA}` : undefined)],
  ];

  it.each(targets)("returns the number of orders on %s", async (_name, makeUrl) => {
    const url = makeUrl();
    if (!url) {
      if (process.env.CI) throw new Error("database server not reachable");
      return;
    }
    const storeHome = fs.mkdtempSync(path.join(home.dir, "store-"));
    const store = await BlockStore.open({ home: storeHome, env: {} });
    try {
      await new SqlConnector({ connectionInfo: url }).save("warehouse", { store });
      await using db = await SqlConnector.load("warehouse", { store });
      await db.execute("CREATE TABLE orders (id integer, day varchar(10))");
      await db.executeMany("INSERT INTO orders (id, day) VALUES (:id, :day)", [
        { id: 1, day: "2024-01-01" },
        { id: 2, day: "2024-01-01" },
        { id: 3, day: "2024-01-02" },
      ]);
    } finally {
      await store.close();
    }
    fs.mkdirSync(out, { recursive: true });
    const file = path.join(out, `example-${_name}.mjs`);
    const js = ts.transpileModule(flowExample(), {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, lib: ["lib.es2022.d.ts", "lib.esnext.disposable.d.ts"] },
    }).outputText;
    fs.writeFileSync(file, js);
    const result = runNode(file, HERE, { SQLBLOCKS_HOME: storeHome });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split("\n").at(-1)).toBe("3");
  }, 60_000);
});
