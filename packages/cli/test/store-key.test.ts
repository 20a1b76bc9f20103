/** `sqlblocks store info|migrate` and `sqlblocks key rotate`, end to end through the binary. */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { BlockStore, closeDefaultStores, keyFingerprint, SqlConnector } from "@sqlblocks/core";
import { configureRunHistory, configureRunLogging, flow, flushRunHistory, getRunLogger, task } from "@sqlblocks/flow";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { parse, sqlblocks, tempHome } from "./helpers.js";

const PG_URL = (process.env.SQLBLOCKS_TEST_PG_URL ?? "postgresql+pg://postgres@127.0.0.1:5432/test").trim();
const PLAIN_PG_URL = PG_URL.replace(/^[^:]+:/, "postgresql:");
const CANARY = "CliStoreCanaryPw-8842";
const schemas: string[] = [];

afterAll(async () => {
  await closeDefaultStores();
  const client = new pg.Client({ connectionString: PLAIN_PG_URL });
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

function newSchema(): string {
  const schema = `cli_${process.pid}_${randomBytes(3).toString("hex")}`;
  schemas.push(schema);
  return schema;
}

async function seedEmbedded(home: string, key: string): Promise<void> {
  const store = await BlockStore.open({ home, engine: "auto", env: { SQLBLOCKS_ENCRYPTION_KEY: key } });
  try {
    await new SqlConnector({ connectionInfo: `postgresql+pg://app:${CANARY}@db1:5432/shop` }).save("alpha", { store });
    await new SqlConnector({ connectionInfo: `postgresql+pg://app:${CANARY}@db2:5432/shop` }).save("beta", { store });
    configureRunLogging({ console: false });
    configureRunHistory({ store });
    const step = task("step", async () => getRunLogger().info("step ran"));
    await flow("to-migrate", async () => step())();
    await flushRunHistory();
    configureRunHistory({ store: undefined });
  } finally {
    await store.close();
  }
}

async function dumpSchema(schema: string): Promise<string> {
  const client = new pg.Client({ connectionString: PLAIN_PG_URL });
  await client.connect();
  try {
    let text = "";
    for (const table of ["store_meta", "block_types", "block_documents", "flow_runs", "task_runs", "run_logs"]) {
      text += JSON.stringify((await client.query(`SELECT * FROM ${schema}.${table}`)).rows);
    }
    return text;
  } finally {
    await client.end();
  }
}

describe("store info", () => {
  it("prints the embedded engine and file", async () => {
    const home = tempHome("info");
    const result = await sqlblocks(home, ["store", "info", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const info = parse<{ engine: string; location: string; schemaVersions: Record<string, number> }>(result);
    expect(["node:sqlite", "better-sqlite3"]).toContain(info.engine);
    expect(info.location).toBe(path.join(home, "sqlblocks.db"));
    expect(info.schemaVersions).toEqual({ "@sqlblocks/core": 2 });
  });

  it("warns when the store's files can be read by other users, and says how to fix it", async () => {
    const home = tempHome("info-perms");
    const first = await sqlblocks(home, ["store", "info"]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).not.toContain("warning");
    const database = path.join(home, "sqlblocks.db");
    fs.chmodSync(database, 0o644);
    const warned = await sqlblocks(home, ["store", "info", "--json"]);
    expect(warned.code, warned.stderr).toBe(0);
    expect(warned.stderr).toContain(`warning: ${database} can be read by other users (mode 644): chmod 600 ${database}`);
    // SQLite gives the -wal and -shm files the database's permissions: they are named too.
    const warnings = parse<{ warnings: string[] }>(warned).warnings;
    expect(warnings[0]).toContain(database);
    expect(warnings.every((w) => w.startsWith(database))).toBe(true);
    fs.chmodSync(database, 0o600);
  });

  it("prints a PostgreSQL store's location without its password, and honours SQLBLOCKS_STORE_ENGINE", async () => {
    const home = tempHome("info-pg");
    const schema = newSchema();
    const url = PLAIN_PG_URL.replace("postgresql://postgres@", `postgresql://postgres:${CANARY}@`);
    const result = await sqlblocks(home, ["store", "info"], { env: { SQLBLOCKS_STORE_URL: url, SQLBLOCKS_STORE_SCHEMA: schema } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^engine {4}postgres$/m);
    expect(result.stdout).toContain(`(schema ${schema})`);
    expect(result.stdout + result.stderr).not.toContain(CANARY);
    const forced = await sqlblocks(home, ["store", "info"], { env: { SQLBLOCKS_STORE_URL: url, SQLBLOCKS_STORE_ENGINE: "better-sqlite3" } });
    expect(forced.code).toBe(1);
    expect(forced.stderr).toContain("is the embedded SQLite store, but a PostgreSQL URL is set");
    expect(forced.stderr).not.toContain(CANARY);
  });
});

describe("store migrate", () => {
  it("copies blocks (still encrypted), runs and logs into PostgreSQL; a second run copies nothing; conflicts need --overwrite", async () => {
    const home = tempHome("migrate");
    const key = randomBytes(32).toString("base64");
    const env = { SQLBLOCKS_ENCRYPTION_KEY: key };
    await seedEmbedded(home, key);
    const schema = newSchema();
    const args = ["store", "migrate", "--to", PLAIN_PG_URL, "--schema", schema];

    const first = await sqlblocks(home, [...args, "--json"], { env });
    expect(first.code, first.stderr).toBe(0);
    const report = parse<{ blocks: { copied: number; conflicts: string[] }; runs: { flowRuns: number; taskRuns: number; logs: number } }>(first);
    expect(report.blocks).toMatchObject({ copied: 2, conflicts: [] });
    expect(report.runs.flowRuns).toBe(1);
    expect(report.runs.taskRuns).toBe(1);
    expect(report.runs.logs).toBeGreaterThanOrEqual(1);

    const second = await sqlblocks(home, args, { env });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain("blocks: 0 copied, 2 already there, 0 overwritten, 0 conflicting");
    expect(second.stdout).toContain("runs: 0 flow runs, 0 task runs, 0 log records");

    // The team store now serves blocks and runs to any directory.
    const teamEnv = { ...env, SQLBLOCKS_STORE_URL: PLAIN_PG_URL, SQLBLOCKS_STORE_SCHEMA: schema };
    const runs = parse<{ name: string }[]>(await sqlblocks(tempHome("elsewhere"), ["runs", "ls", "--json"], { env: teamEnv, cwd: "/" }));
    expect(runs.map((r) => r.name)).toEqual(["to-migrate"]);
    const inspected = await sqlblocks(home, ["block", "inspect", "alpha", "--json"], { env: teamEnv });
    expect(inspected.code, inspected.stderr).toBe(0);
    expect(inspected.stdout).toContain("db1");

    // A block changed in the target is a conflict: listed, not overwritten, exit 1.
    const target = await BlockStore.open({ engine: "postgres", url: PLAIN_PG_URL, schema, home, env });
    await new SqlConnector({ connectionInfo: `postgresql+pg://app:${CANARY}@db9:5432/shop` }).save("beta", { store: target, overwrite: true });
    await target.close();
    const conflict = await sqlblocks(home, args, { env });
    expect(conflict.code).toBe(1);
    expect(conflict.stdout).toContain("conflict: sql-connector/beta exists in the target with different content; not overwritten");
    expect(conflict.stderr).toContain("rerun with --overwrite");
    const overwritten = await sqlblocks(home, [...args, "--overwrite"], { env });
    expect(overwritten.code, overwritten.stderr).toBe(0);
    expect(overwritten.stdout).toContain("blocks: 0 copied, 1 already there, 1 overwritten, 0 conflicting");

    const all = [first, second, conflict, overwritten].map((r) => r.stdout + r.stderr).join("\n");
    expect(all).not.toContain(CANARY);
    const tables = await dumpSchema(schema);
    expect(tables).toContain("to-migrate");
    expect(tables).not.toContain(CANARY);
    expect(tables).not.toContain(key);
  });

  it("refuses a target sealed with another key, copying nothing", async () => {
    const home = tempHome("migrate-key");
    const key = randomBytes(32).toString("base64");
    await seedEmbedded(home, key);
    const schema = newSchema();
    const other = await BlockStore.open({ engine: "postgres", url: PLAIN_PG_URL, schema, home, env: { SQLBLOCKS_ENCRYPTION_KEY: randomBytes(32).toString("base64") } });
    await other.keyId();
    await other.close();
    const result = await sqlblocks(home, ["store", "migrate", "--to", PLAIN_PG_URL, "--schema", schema], { env: { SQLBLOCKS_ENCRYPTION_KEY: key } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("is encrypted with another key than the store at");
    expect(result.stderr).toContain("nothing was copied");
    const client = new pg.Client({ connectionString: PLAIN_PG_URL });
    await client.connect();
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${schema}.block_documents`);
    await client.end();
    expect(rows[0].n).toBe(0);
  });
});

describe("key rotate", () => {
  it("with a key file: re-encrypts every document, writes the new key beside it (0600), says what to do next", async () => {
    const home = tempHome("rotate");
    await sqlblocks(home, ["block", "ls"]);
    const store = await BlockStore.open({ home, env: {} });
    await new SqlConnector({ connectionInfo: `postgresql+pg://app:${CANARY}@db1:5432/shop` }).save("one", { store });
    await new SqlConnector({ connectionInfo: `postgresql+pg://app:${CANARY}@db2:5432/shop` }).save("two", { store });
    await store.close();
    const oldKey = fs.readFileSync(path.join(home, "encryption.key"), "utf8").trim();

    const result = await sqlblocks(home, ["key", "rotate"]);
    expect(result.code, result.stderr).toBe(0);
    const newFile = path.join(home, "encryption.key.new");
    expect(fs.statSync(newFile).mode & 0o777).toBe(0o600);
    const newKey = fs.readFileSync(newFile, "utf8").trim();
    const from = keyFingerprint(Buffer.from(oldKey, "base64"));
    const to = keyFingerprint(Buffer.from(newKey, "base64"));
    expect(result.stdout).toContain(`Re-encrypted 2 block document(s) and the key check in ${path.join(home, "sqlblocks.db")}: key id ${from} -> ${to}.`);
    expect(result.stdout).toContain(`mv ${newFile} ${path.join(home, "encryption.key")}`);
    expect(result.stdout + result.stderr).not.toContain(newKey);
    expect(result.stdout + result.stderr).not.toContain(oldKey);

    // Readable before the move (the new file is read) and after it; the old key alone fails.
    expect((await sqlblocks(home, ["block", "inspect", "one"])).code).toBe(0);
    const withOld = await sqlblocks(home, ["block", "inspect", "one"], { env: { SQLBLOCKS_ENCRYPTION_KEY: oldKey } });
    expect(withOld.code).toBe(1);
    expect(withOld.stderr).toContain("is not the key this store was written with");
    fs.renameSync(newFile, path.join(home, "encryption.key"));
    const after = await sqlblocks(home, ["block", "inspect", "two", "--json"]);
    expect(after.code, after.stderr).toBe(0);
    const check = await BlockStore.open({ home, env: { SQLBLOCKS_ENCRYPTION_KEY: newKey } });
    const ids = await check.db.all<{ key_id: string }>("SELECT key_id FROM block_documents");
    expect(ids.map((r) => r.key_id)).toEqual([to, to]);
    expect((await SqlConnector.load("one", { store: check })).components.password?.reveal()).toBe(CANARY);
    await check.close();
  });

  it("with SQLBLOCKS_ENCRYPTION_KEY: needs --new-key-stdin, then tells to change the variable everywhere", async () => {
    const home = tempHome("rotate-env");
    const oldKey = randomBytes(32).toString("base64");
    const newKey = randomBytes(32).toString("base64");
    const store = await BlockStore.open({ home, env: { SQLBLOCKS_ENCRYPTION_KEY: oldKey } });
    await new SqlConnector({ connectionInfo: `postgresql+pg://app:${CANARY}@db1:5432/shop` }).save("one", { store });
    await store.close();
    const env = { SQLBLOCKS_ENCRYPTION_KEY: oldKey };
    const refused = await sqlblocks(home, ["key", "rotate"], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("pipe it to sqlblocks key rotate --new-key-stdin");
    const bad = await sqlblocks(home, ["key", "rotate", "--new-key-stdin"], { env, stdin: "not-a-key\n" });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("must be 32 bytes in base64");
    const result = await sqlblocks(home, ["key", "rotate", "--new-key-stdin"], { env, stdin: `${newKey}\n` });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("Next: set SQLBLOCKS_ENCRYPTION_KEY to the new key on every machine");
    for (const output of [refused, bad, result]) {
      for (const secret of [newKey, oldKey, CANARY]) expect(output.stdout + output.stderr).not.toContain(secret);
    }
    expect(fs.existsSync(path.join(home, "encryption.key.new"))).toBe(false);
    expect((await sqlblocks(home, ["block", "inspect", "one"], { env: { SQLBLOCKS_ENCRYPTION_KEY: newKey } })).code).toBe(0);
    expect((await sqlblocks(home, ["block", "inspect", "one"], { env })).code).toBe(1);
  });

  it("a failure half-way changes nothing: every document still opens with the old key", async () => {
    const home = tempHome("rotate-fail");
    const key = randomBytes(32).toString("base64");
    const env = { SQLBLOCKS_ENCRYPTION_KEY: key };
    const store = await BlockStore.open({ home, env });
    for (const name of ["a1", "a2", "a3"]) {
      await new SqlConnector({ connectionInfo: `postgresql+pg://app:${CANARY}@${name}:5432/shop` }).save(name, { store });
    }
    // A document sealed for another name cannot be opened: rotation stops at it.
    const [a1] = await store.db.all<{ data: string }>("SELECT data FROM block_documents WHERE name = 'a1'");
    await store.db.run("UPDATE block_documents SET data = ? WHERE name = 'a3'", [a1!.data]);
    const before = await store.db.all("SELECT name, data, key_id FROM block_documents ORDER BY name");
    await store.close();
    const result = await sqlblocks(home, ["key", "rotate", "--new-key-stdin"], { env, stdin: randomBytes(32).toString("base64") });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("cannot decrypt block/sql-connector/a3");
    expect(result.stdout + result.stderr).not.toContain(CANARY);
    expect(result.stdout + result.stderr).not.toContain(key);
    const reopened = await BlockStore.open({ home, env });
    expect(await reopened.db.all("SELECT name, data, key_id FROM block_documents ORDER BY name")).toEqual(before);
    expect((await SqlConnector.load("a2", { store: reopened })).components.host).toBe("a2");
    await reopened.close();
  });

  it("a crash (SIGKILL) during rotation leaves every document readable with the old or the new key", async () => {
    const home = tempHome("rotate-kill");
    const store = await BlockStore.open({ home, env: {} });
    for (let i = 0; i < 400; i++) {
      await new SqlConnector({ connectionInfo: `postgresql+pg://app:${CANARY}@h${i}:5432/shop` }).save(`doc-${i}`, { store });
    }
    await store.close();
    const oldKey = fs.readFileSync(path.join(home, "encryption.key"), "utf8").trim();
    const { spawn } = await import("node:child_process");
    const { bin } = await import("./helpers.js");
    const child = spawn(process.execPath, [bin, "key", "rotate"], { env: { ...process.env, SQLBLOCKS_HOME: home }, stdio: "ignore" });
    // Kill it once the new key file exists: the transaction is then starting or running.
    const newFile = path.join(home, "encryption.key.new");
    const started = Date.now();
    while (!fs.existsSync(newFile) && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 2));
    child.kill("SIGKILL");
    await new Promise((r) => child.once("close", r));
    const keys = [oldKey, ...(fs.existsSync(newFile) ? [fs.readFileSync(newFile, "utf8").trim()] : [])].filter(Boolean);
    let readable = 0;
    for (let i = 0; i < 400; i++) {
      let opened = false;
      for (const key of keys) {
        const check = await BlockStore.open({ home, env: { SQLBLOCKS_ENCRYPTION_KEY: key } });
        try {
          opened = (await SqlConnector.load(`doc-${i}`, { store: check })).components.host === `h${i}`;
        } catch {
          // not this key
        } finally {
          await check.close();
        }
        if (opened) break;
      }
      if (opened) readable++;
    }
    expect(readable).toBe(400);
  }, 60_000);
});
