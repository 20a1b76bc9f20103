import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { BlockStore, isSecret, SqlConnector } from "@sqlblocks/core";
import { describe, expect, it } from "vitest";
import { cliRoot, parse, sqlblocks, tempHome } from "./helpers.js";

const home = tempHome("block");
const dbFile = path.join(home, "data.db");
const sqliteUrl = `sqlite+better-sqlite3:///${dbFile}`;

function expectOneLineError(stderr: string, pattern: RegExp): void {
  const lines = stderr.trimEnd().split("\n");
  expect(lines.at(-1)).toMatch(/^error: /);
  expect(lines.at(-1)).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /);
}

async function storedPassword(name: string): Promise<string | undefined> {
  const store = await BlockStore.open({ home });
  try {
    const block = await SqlConnector.load(name, { store });
    const info = block.connectionInfo;
    if (isSecret(info)) return block.components.password?.reveal();
    return info.password?.reveal();
  } finally {
    await store.close();
  }
}

describe("usage", () => {
  it("exits 2 with help when no command is given", async () => {
    const result = await sqlblocks(home, []);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Usage: sqlblocks");
  });

  it("exits 0 for --help and --version", async () => {
    expect((await sqlblocks(home, ["--help"])).code).toBe(0);
    const version = await sqlblocks(home, ["--version"]);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("exits 2 with one line for an unknown command or option", async () => {
    const unknown = await sqlblocks(home, ["block", "frobnicate"]);
    expect(unknown.code).toBe(2);
    expectOneLineError(unknown.stderr, /unknown command 'frobnicate'/);
    const option = await sqlblocks(home, ["block", "ls", "--colour"]);
    expect(option.code).toBe(2);
    expectOneLineError(option.stderr, /unknown option '--colour'/);
  });

  it("has no --password option", async () => {
    const result = await sqlblocks(home, ["block", "create", "sql-connector", "nope", "--driver", "postgres", "--password", "hunter2"]);
    expect(result.code).toBe(2);
    expectOneLineError(result.stderr, /there is no --password option.*--password-stdin/);
    expect(result.stderr).not.toContain("hunter2");
    expect((await sqlblocks(home, ["block", "create", "--help"])).stdout).not.toContain("--password <");
  });

  it("requires either --url or --driver, not both", async () => {
    const neither = await sqlblocks(home, ["block", "create", "sql-connector", "nope"]);
    expect(neither.code).toBe(2);
    expectOneLineError(neither.stderr, /give the connection: --url <url>, or --driver <driver>/);
    const both = await sqlblocks(home, ["block", "create", "sql-connector", "nope", "--url", sqliteUrl, "--host", "x"]);
    expect(both.code).toBe(2);
    expectOneLineError(both.stderr, /--url cannot be combined with --host/);
  });
});

describe("block create / ls / inspect / types", () => {
  it("creates a block from a URL and lists it", async () => {
    const created = await sqlblocks(home, ["block", "create", "sql-connector", "local", "--url", sqliteUrl]);
    expect(created).toMatchObject({ code: 0, stderr: "" });
    expect(created.stdout.trim()).toBe(`Saved sql-connector/local: ${sqliteUrl}`);

    const list = await sqlblocks(home, ["block", "ls"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^TYPE\s+NAME\s+UPDATED\n/);
    expect(list.stdout).toMatch(/sql-connector\s+local\s+\d{4}-\d\d-\d\d/);

    const json = parse<{ reference: string; type: string; name: string }[]>(await sqlblocks(home, ["block", "ls", "--json"]));
    expect(json).toContainEqual(expect.objectContaining({ reference: "sql-connector/local", type: "sql-connector", name: "local" }));
  });

  it("refuses to replace a block without --overwrite, and replaces it with it", async () => {
    const again = await sqlblocks(home, ["block", "create", "sql-connector", "local", "--url", sqliteUrl]);
    expect(again.code).toBe(1);
    expectOneLineError(again.stderr, /block sql-connector\/local already exists: pass --overwrite to replace it/);
    const replaced = await sqlblocks(home, ["block", "create", "sql-connector", "local", "--url", sqliteUrl, "--overwrite", "--fetch-size", "5"]);
    expect(replaced.code).toBe(0);
  });

  it("block create <name> defaults the type to sql-connector (the only type); <type> <name> still works", async () => {
    const created = await sqlblocks(home, ["block", "create", "short-form", "--url", sqliteUrl]);
    expect(created).toMatchObject({ code: 0, stderr: "" });
    expect(created.stdout.trim()).toBe(`Saved sql-connector/short-form: ${sqliteUrl}`);
    const other = await sqlblocks(home, ["block", "create", "other-type", "x", "--url", sqliteUrl]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/cannot create blocks of type "other-type"/);
    const none = await sqlblocks(home, ["block", "create", "--url", sqliteUrl]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/missing required argument/);
    const deleted = await sqlblocks(home, ["block", "delete", "short-form", "--yes"]);
    expect(deleted.code).toBe(0);
  });

  it("explains a bad block name", async () => {
    const result = await sqlblocks(home, ["block", "create", "sql-connector", "Bad Name", "--url", sqliteUrl]);
    expect(result.code).toBe(1);
    expectOneLineError(result.stderr, /invalid block name "Bad Name".*try "bad-name"/);
  });

  it("inspects a block by slug/name or bare name, as text and JSON", async () => {
    const text = await sqlblocks(home, ["block", "inspect", "sql-connector/local"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("Block:    sql-connector/local");
    expect(text.stdout).toContain("Type:     SQL Connector");
    expect(text.stdout).toContain(`URL:      ${sqliteUrl}`);
    expect(text.stdout).toContain('"fetchSize": 5');
    const json = parse<{ reference: string; url: string; data: { fetchSize: number } }>(await sqlblocks(home, ["block", "inspect", "local", "--json"]));
    expect(json).toMatchObject({ reference: "sql-connector/local", url: sqliteUrl, data: { fetchSize: 5 } });
  });

  it("reports a missing block or type on one line with exit code 1", async () => {
    const missing = await sqlblocks(home, ["block", "inspect", "sql-connector/ghost"]);
    expect(missing.code).toBe(1);
    expectOneLineError(missing.stderr, /no SQL Connector block named "ghost" in the store at .*sqlblocks\.db/);
    const badType = await sqlblocks(home, ["block", "inspect", "nosuch/ghost"]);
    expect(badType.code).toBe(1);
    expectOneLineError(badType.stderr, /no block type with slug "nosuch"; known types: sql-connector/);
  });

  it("lists block types", async () => {
    const text = await sqlblocks(home, ["block", "types"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/sql-connector\s+SQL Connector\s+connectionInfo\.password, connectionInfo\.url, ssl\.key/);
    const json = parse<{ slug: string; secretFields: string[] }[]>(await sqlblocks(home, ["block", "types", "--json"]));
    expect(json).toContainEqual(expect.objectContaining({ slug: "sql-connector", secretFields: expect.arrayContaining(["connectionInfo.password"]) }));
  });

  it("reads the password from --password-stdin and never prints it", async () => {
    const result = await sqlblocks(
      home,
      ["block", "create", "sql-connector", "warehouse", "--driver", "postgresql+psycopg2", "--host", "db.internal", "--port", "5433", "--database", "shop", "--username", "app", "--password-stdin"],
      { stdin: "stdin-secret-1\n" },
    );
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe("Saved sql-connector/warehouse: postgresql+pg://app:********@db.internal:5433/shop");
    expect(await storedPassword("warehouse")).toBe("stdin-secret-1");
    const inspect = await sqlblocks(home, ["block", "inspect", "warehouse"]);
    expect(inspect.stdout).toContain('"password": "********"');
  });

  it("adds a --password-stdin password to a URL without one", async () => {
    const result = await sqlblocks(home, ["block", "create", "sql-connector", "from-url", "--url", "postgres://app@db/shop", "--password-stdin"], {
      stdin: "stdin-secret-2",
    });
    expect(result.code).toBe(0);
    expect(await storedPassword("from-url")).toBe("stdin-secret-2");
  });

  it("accepts a password inside --url but warns that it is in the shell history", async () => {
    const result = await sqlblocks(home, ["block", "create", "sql-connector", "inline", "--url", "mysql+pymysql://app:inline-secret@db:3306/shop"]);
    expect(result.code).toBe(0);
    expect(result.stderr.trim()).toBe(
      "warning: the URL contains a password, which is now in your shell history; prefer --password-stdin or the prompt",
    );
    expect(result.stdout.trim()).toBe("Saved sql-connector/inline: mysql+mysql2://app:********@db:3306/shop");
  });

  it("rejects an unknown driver, listing the valid ones", async () => {
    const result = await sqlblocks(home, ["block", "create", "sql-connector", "odd", "--driver", "db2"]);
    expect(result.code).toBe(1);
    expectOneLineError(result.stderr, /unknown driver "db2": use one of postgresql\+pg, .*sqlite\+better-sqlite3/);
  });
});

describe("block test", () => {
  it("connects, runs the driver's trivial query and prints the latency", async () => {
    const result = await sqlblocks(home, ["block", "test", "local"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^ok: sql-connector/local \\(${sqliteUrl.replace(/[/.+]/g, "\\$&")}\\) answered SELECT 1 in \\d+\\.\\d ms`));
    const json = parse<{ ok: boolean; latencyMs: number; query: string }>(await sqlblocks(home, ["block", "test", "local", "--json"]));
    expect(json).toMatchObject({ ok: true, query: "SELECT 1" });
    expect(json.latencyMs).toBeGreaterThan(0);
  });

  it("fails with one clear line when the database cannot be opened", async () => {
    // A folder that cannot exist: its parent is a file.
    const blocked = path.join(home, "a-file");
    writeFileSync(blocked, "");
    await sqlblocks(home, ["block", "create", "sql-connector", "nowhere", "--url", `sqlite+better-sqlite3:///${blocked}/sub/x.db`]);
    const result = await sqlblocks(home, ["block", "test", "nowhere"]);
    expect(result.code).toBe(1);
    expectOneLineError(result.stderr, /^error: sql-connector\/nowhere \(.*a-file\/sub\/x\.db\) failed the connection test: /);
  });

  const demoRoot = path.resolve(cliRoot, "../../apps/demo");
  let postgresAvailable = false;
  try {
    createRequire(path.join(demoRoot, "package.json")).resolve("@sqlblocks/driver-postgres");
    postgresAvailable = true;
  } catch {
    postgresAvailable = false;
  }

  // Run from an application that has the PostgreSQL driver installed (apps/demo), as a user would.
  it.skipIf(!postgresAvailable)("fails with one clear line for a block pointing at a closed port", async () => {
    await sqlblocks(home, ["block", "create", "sql-connector", "closed-port", "--url", "postgresql+pg://app@127.0.0.1:1/shop"]);
    const result = await sqlblocks(home, ["block", "test", "closed-port", "--timeout-ms", "5000"], { cwd: demoRoot });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expectOneLineError(
      result.stderr,
      /^error: sql-connector\/closed-port \(postgresql\+pg:\/\/app@127\.0\.0\.1:1\/shop\) failed the connection test: .*ECONNREFUSED/,
    );
  });

  it("names the driver package to install when it is missing", async () => {
    await sqlblocks(home, ["block", "create", "sql-connector", "needs-oracle", "--url", "oracle://app@db:1521/orcl"]);
    for (const [agent, command] of [
      ["pnpm/10.34.9 npm/? node/v20.19.0 linux x64", "pnpm add"],
      ["npm/10.8.2 node/v20.19.0 linux x64 workspaces/false", "npm install"],
    ]) {
      const result = await sqlblocks(home, ["block", "test", "needs-oracle"], { env: { npm_config_user_agent: agent } });
      expect(result.code).toBe(1);
      expectOneLineError(
        result.stderr,
        new RegExp(`@sqlblocks/driver-oracle is not installed: run ${command} @sqlblocks/driver-oracle \\(or import it and pass it to registerDriver from @sqlblocks/core\\)`),
      );
    }
  });
});

describe("block delete", () => {
  it("requires --yes when nobody can confirm, then deletes", async () => {
    await sqlblocks(home, ["block", "create", "sql-connector", "doomed", "--url", sqliteUrl]);
    const refused = await sqlblocks(home, ["block", "delete", "sql-connector/doomed"]);
    expect(refused.code).toBe(2);
    expectOneLineError(refused.stderr, /refusing to delete sql-connector\/doomed without confirmation: pass --yes/);
    const deleted = await sqlblocks(home, ["block", "delete", "sql-connector/doomed", "--yes"]);
    expect(deleted).toMatchObject({ code: 0, stdout: "Deleted sql-connector/doomed\n" });
    const gone = await sqlblocks(home, ["block", "delete", "doomed", "--yes"]);
    expect(gone.code).toBe(1);
    expectOneLineError(gone.stderr, /no block sql-connector\/doomed in the store/);
  });
});
