import { spawn } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SqlConnector } from "../src/connector/sql-connector.js";
import { ENCRYPTION_KEY_ENV, KEY_FILE_NAME } from "../src/crypto/keys.js";
import { BlockAlreadyExistsError, EncryptionKeyError, StoreError } from "../src/errors.js";
import {
  BlockStore,
  closeDefaultStores,
  getDefaultStore,
  HOME_ENV,
  STORE_FILE_NAME,
  storeHome,
} from "../src/index.js";
import { fixedKey, rejection, tempDir } from "./helpers/test-plugin.js";

const require = createRequire(import.meta.url);
const META = { overwrite: false, typeName: "Test Block", schemaVersion: 1 };
const KEY_RULE = "must be 32 bytes in base64 (generate one with: openssl rand -base64 32)";

function wrongKeyMessage(context: string, source: string): string {
  return (
    `cannot decrypt ${context}: the encryption key from ${source} is not the key this store was written with; ` +
    "restore the original key (SQLBLOCKS_ENCRYPTION_KEY or the key file) — nothing was changed"
  );
}

/** Reads the store file with a connection of our own, as another process would. */
function rawQuery<T>(file: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

describe("BlockStore", () => {
  let home: string;
  let remove: () => void;
  const opened: BlockStore[] = [];
  const open = async (options: { env?: NodeJS.ProcessEnv; home?: string } = {}): Promise<BlockStore> => {
    const store = await BlockStore.open({ home, env: {}, ...options });
    opened.push(store);
    return store;
  };

  beforeEach(() => {
    ({ dir: home, remove } = tempDir());
  });
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    remove();
  });

  it("creates sqlblocks.db in WAL mode in its home folder", async () => {
    const nested = path.join(home, "a", "b");
    const store = await open({ home: nested });
    const file = path.join(nested, STORE_FILE_NAME);
    expect(STORE_FILE_NAME).toBe("sqlblocks.db");
    expect(store.location).toBe(file);
    expect(fs.existsSync(file)).toBe(true);
    const db = new Database(file);
    try {
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
      // Core owns only its tables: run history belongs to @sqlblocks/flow, which migrates its own.
      expect(tables).toEqual(["block_documents", "block_types", "store_meta"]);
    } finally {
      db.close();
    }
  });

  it("creates the database and its -wal and -shm files with mode 0600 whatever the umask", async () => {
    const previous = process.umask(0o022);
    try {
      const store = await open({ home: path.join(home, "modes") });
      await store.writeDocument("test", "one", META, () => '{"a":1}');
      for (const suffix of ["", "-wal", "-shm"]) {
        expect((fs.statSync(`${store.location}${suffix}`).mode & 0o777).toString(8), suffix).toBe("600");
      }
    } finally {
      process.umask(previous);
    }
  });

  it("creates the key file encryption.key with mode 0600 beside the database, not inside it", async () => {
    const store = await open();
    await store.writeDocument("test", "one", META, () => '{"a":1}');
    const keyFile = path.join(home, KEY_FILE_NAME);
    expect(KEY_FILE_NAME).toBe("encryption.key");
    expect(path.dirname(keyFile)).toBe(path.dirname(store.location));
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    const key = fs.readFileSync(keyFile, "utf8").trim();
    expect(Buffer.from(key, "base64")).toHaveLength(32);
    await store.close();
    for (const file of [store.location, `${store.location}-wal`]) {
      if (fs.existsSync(file)) expect(fs.readFileSync(file).includes(key)).toBe(false);
    }
    const meta = rawQuery<{ key: string; value: string }>(store.location, "SELECT key, value FROM store_meta");
    expect(meta.map((row) => row.value).join(" ")).not.toContain(key);
  });

  it("encrypts document data at rest and decrypts it on read", async () => {
    const store = await open();
    await store.writeDocument("test", "one", META, () => '{"word":"plaintext-marker"}');
    const rows = rawQuery<{ data: string }>(store.location, "SELECT data FROM block_documents");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.data).toMatch(/^v1\./);
    expect(rows[0]!.data).not.toContain("plaintext-marker");
    const document = await store.readDocument("test", "one");
    expect(document).toMatchObject({ typeSlug: "test", name: "one", schemaVersion: 1, data: '{"word":"plaintext-marker"}' });
    expect(await store.readDocument("test", "missing")).toBeUndefined();
  });

  it("uses SQLBLOCKS_ENCRYPTION_KEY from the env option instead of a key file", async () => {
    const env = { [ENCRYPTION_KEY_ENV]: fixedKey(1) };
    const store = await open({ env });
    await store.writeDocument("test", "one", META, () => "{}");
    expect(fs.existsSync(path.join(home, KEY_FILE_NAME))).toBe(false);
    await store.close();
    // The same key opens it again; the key file (created now, since no key is set) does not.
    expect((await (await open({ env })).readDocument("test", "one"))?.data).toBe("{}");
    const withFile = await open({ env: {} });
    const error = await rejection(withFile.readDocument("test", "one"));
    expect(error).toBeInstanceOf(EncryptionKeyError);
    expect(error.message).toBe(wrongKeyMessage("block/test/one", `key file ${path.join(home, KEY_FILE_NAME)}`));
  });

  it("reports a malformed SQLBLOCKS_ENCRYPTION_KEY clearly, without echoing it", async () => {
    const store = await open({ env: { [ENCRYPTION_KEY_ENV]: "not-a-valid-key" } });
    const error = await rejection(store.writeDocument("test", "one", META, () => "{}"));
    expect(error).toBeInstanceOf(EncryptionKeyError);
    expect((error as EncryptionKeyError).code).toBe("SQLBLOCKS_ENCRYPTION_KEY");
    expect(error.message).toBe(`the encryption key from SQLBLOCKS_ENCRYPTION_KEY ${KEY_RULE}`);
    expect(await store.listDocuments()).toEqual([]);
  });

  describe("with a wrong key", () => {
    const right = { [ENCRYPTION_KEY_ENV]: fixedKey(1) };
    const wrong = { [ENCRYPTION_KEY_ENV]: fixedKey(2) };

    beforeEach(async () => {
      const store = await BlockStore.open({ home, env: right });
      await store.writeDocument("test", "one", META, () => '{"v":"original"}');
      await store.close();
    });

    it("loading gives EncryptionKeyError with a clear message", async () => {
      const store = await open({ env: wrong });
      const error = await rejection(store.readDocument("test", "one"));
      expect(error).toBeInstanceOf(EncryptionKeyError);
      expect(error.message).toBe(wrongKeyMessage("block/test/one", "SQLBLOCKS_ENCRYPTION_KEY"));
    });

    it("saving (overwrite or new name) gives EncryptionKeyError and changes nothing", async () => {
      const before = rawQuery<Record<string, unknown>>(path.join(home, STORE_FILE_NAME), "SELECT * FROM block_documents");
      const store = await open({ env: wrong });
      let built = 0;
      const build = () => {
        built++;
        return '{"v":"replaced"}';
      };
      for (const [name, overwrite] of [
        ["one", true],
        ["two", false],
      ] as const) {
        const error = await rejection(store.writeDocument("test", name, { ...META, overwrite }, build));
        expect(error).toBeInstanceOf(EncryptionKeyError);
        expect(error.message).toBe(wrongKeyMessage("store/key-check", "SQLBLOCKS_ENCRYPTION_KEY"));
      }
      expect(built).toBe(0);
      expect(rawQuery(store.location, "SELECT * FROM block_documents")).toEqual(before);
      // The right key still reads the original document.
      const good = await open({ env: right });
      expect((await good.readDocument("test", "one"))?.data).toBe('{"v":"original"}');
      expect((await good.listDocuments()).map((d) => d.name)).toEqual(["one"]);
    });
  });

  it("binds each document's ciphertext to its type and name", async () => {
    const store = await open();
    await store.writeDocument("test", "a", META, () => '{"who":"a"}');
    await store.writeDocument("test", "b", META, () => '{"who":"b"}');
    await store.writeDocument("other", "a", META, () => '{"who":"other"}');
    const db = new Database(store.location);
    try {
      db.prepare(
        "UPDATE block_documents SET data = (SELECT data FROM block_documents WHERE type_slug = 'test' AND name = 'a') WHERE type_slug = 'test' AND name = 'b'",
      ).run();
      db.prepare(
        "UPDATE block_documents SET data = (SELECT data FROM block_documents WHERE type_slug = 'test' AND name = 'a') WHERE type_slug = 'other'",
      ).run();
    } finally {
      db.close();
    }
    expect((await store.readDocument("test", "a"))?.data).toBe('{"who":"a"}');
    const moved = await rejection(store.readDocument("test", "b"));
    expect(moved).toBeInstanceOf(EncryptionKeyError);
    expect(moved.message).toMatch(/^cannot decrypt block\/test\/b: /);
    await expect(store.readDocument("other", "a")).rejects.toThrow(/^cannot decrypt block\/other\/a: /);
  });

  it("refuses to replace an existing document without overwrite, and passes the previous data with it", async () => {
    const store = await open();
    const seen: (string | undefined)[] = [];
    await store.writeDocument("test", "one", META, (previous) => {
      seen.push(previous);
      return '{"n":1}';
    });
    const error = await rejection(store.writeDocument("test", "one", META, () => '{"n":2}'));
    expect(error).toBeInstanceOf(BlockAlreadyExistsError);
    expect(error.message).toBe('a Test Block block named "one" already exists: pass { overwrite: true } to replace it');
    await store.writeDocument("test", "one", { ...META, overwrite: true, schemaVersion: 2 }, (previous) => {
      seen.push(previous);
      return '{"n":3}';
    });
    expect(seen).toEqual([undefined, '{"n":1}']);
    const document = await store.readDocument("test", "one");
    expect(document).toMatchObject({ data: '{"n":3}', schemaVersion: 2 });
    expect(document!.updatedAt >= document!.createdAt).toBe(true);
  });

  it("lists and deletes documents", async () => {
    const store = await open();
    await store.writeDocument("b-type", "z", META, () => "{}");
    await store.writeDocument("a-type", "y", META, () => "{}");
    await store.writeDocument("a-type", "x", META, () => "{}");
    expect((await store.listDocuments()).map((d) => `${d.typeSlug}/${d.name}`)).toEqual(["a-type/x", "a-type/y", "b-type/z"]);
    const [first] = await store.listDocuments("b-type");
    expect(first).toEqual({
      typeSlug: "b-type",
      name: "z",
      schemaVersion: 1,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(first).not.toHaveProperty("data");
    expect(await store.deleteDocument("a-type", "x")).toBe(true);
    expect(await store.deleteDocument("a-type", "x")).toBe(false);
    expect((await store.listDocuments("a-type")).map((d) => d.name)).toEqual(["y"]);
  });

  it("records and refreshes block types", async () => {
    const store = await open();
    const type = {
      slug: "test",
      name: "Test Block",
      description: "first",
      fields: ["a", "b"],
      secretFields: ["b"],
      schemaVersion: 1,
    };
    await store.registerType(type);
    await store.registerType({ ...type, description: "second", documentationUrl: "https://example.com" });
    expect(await store.listTypes()).toEqual([{ ...type, description: "second", documentationUrl: "https://example.com" }]);
  });

  it("waits for another process's write lock (busy timeout) instead of failing", async () => {
    const store = await open();
    await store.writeDocument("test", "before", META, () => "{}");
    // Another process takes the write lock, signals, holds it for a while, then commits.
    const script = `
      const Database = require(${JSON.stringify(require.resolve("better-sqlite3"))});
      const db = new Database(${JSON.stringify(store.location)});
      db.exec("BEGIN IMMEDIATE");
      db.prepare("INSERT INTO store_meta (key, value) VALUES ('other-process', 'x')").run();
      process.stdout.write("locked\\n");
      setTimeout(() => { db.exec("COMMIT"); db.close(); }, 700);
    `;
    const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    const exited = once(child, "exit");
    await once(child.stdout, "data");
    const started = Date.now();
    await store.writeDocument("test", "during", META, () => '{"ok":true}');
    expect(Date.now() - started).toBeGreaterThan(300);
    const [code] = await exited;
    expect(code).toBe(0);
    expect((await store.listDocuments()).map((d) => d.name)).toEqual(["before", "during"]);
    expect(rawQuery(store.location, "SELECT value FROM store_meta WHERE key = 'other-process'")).toEqual([{ value: "x" }]);
  });

  // The store has one connection: a statement issued while another caller's transaction is
  // open must wait for it, not join it and be rolled back with it.
  it("a write outside a transaction is not undone by another caller's rollback", async () => {
    const store = await open();
    const failing = store.db.transaction(async (tx) => {
      await tx.run("INSERT INTO store_meta (key, value) VALUES ('inside', '1')");
      await new Promise((resolve) => setTimeout(resolve, 50));
      throw new Error("rolled back");
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await store.db.run("INSERT INTO store_meta (key, value) VALUES ('outside', '2')")).toEqual({ changes: 1 });
    await expect(failing).rejects.toThrow("rolled back");
    const keys = (await store.db.all<{ key: string }>("SELECT key FROM store_meta ORDER BY key")).map((row) => row.key);
    expect(keys).toContain("outside");
    expect(keys).not.toContain("inside");
  });

  it("refuses a home it cannot create with a StoreError naming the location", async () => {
    const file = path.join(home, "a-file");
    fs.writeFileSync(file, "x");
    const error = await rejection(BlockStore.open({ home: path.join(file, "home"), env: {} }));
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toContain(`cannot open the block store at ${path.join(file, "home", STORE_FILE_NAME)}`);
  });
});

describe("default store", () => {
  let home: string;
  let remove: () => void;
  beforeEach(() => {
    ({ dir: home, remove } = tempDir());
  });
  afterEach(async () => {
    await closeDefaultStores();
    remove();
  });

  it("lives in $SQLBLOCKS_HOME, else ~/.sqlblocks", () => {
    expect(HOME_ENV).toBe("SQLBLOCKS_HOME");
    expect(storeHome({ SQLBLOCKS_HOME: home })).toBe(home);
    expect(storeHome({ SQLBLOCKS_HOME: "relative/home" })).toBe(path.resolve("relative/home"));
    expect(storeHome({})).toBe(path.join(os.homedir(), ".sqlblocks"));
    expect(storeHome({ SQLBLOCKS_HOME: "  " })).toBe(path.join(os.homedir(), ".sqlblocks"));
  });

  it("opens once per location and closes with closeDefaultStores", async () => {
    const env = { SQLBLOCKS_HOME: home };
    const store = await getDefaultStore(env);
    expect(await getDefaultStore(env)).toBe(store);
    expect(store.location).toBe(path.join(home, STORE_FILE_NAME));
    await closeDefaultStores();
    await expect(store.listDocuments()).rejects.toThrow(StoreError);
    const reopened = await getDefaultStore(env);
    expect(reopened).not.toBe(store);
    expect(await reopened.listDocuments()).toEqual([]);
  });

  it("opens SQLBLOCKS_STORE_URL as a PostgreSQL store: unreachable is a StoreError without the password", async () => {
    const started = Date.now();
    const url = "postgresql://u:CanaryStorePw19@127.0.0.1:1/db";
    const error = await rejection(getDefaultStore({ SQLBLOCKS_HOME: home, SQLBLOCKS_STORE_URL: url }));
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toMatch(/^cannot connect to the block store at postgresql:\/\/u@127\.0\.0\.1:1\/db \(schema sqlblocks\) \(ECONNREFUSED/);
    expect(error.message).not.toContain("CanaryStorePw19");
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("refuses a SQLBLOCKS_STORE_URL that is not PostgreSQL", async () => {
    const error = await rejection(getDefaultStore({ SQLBLOCKS_HOME: home, SQLBLOCKS_STORE_URL: "mysql://u:p@h/db" }));
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toBe(
      "SQLBLOCKS_STORE_URL must point at PostgreSQL (postgresql://…, any alias of postgresql+pg), not mysql+mysql2: the shared store runs on PostgreSQL only",
    );
  });

  it("uses the process environment when no env is given", async () => {
    const previous = process.env[HOME_ENV];
    process.env[HOME_ENV] = home;
    try {
      const store = await getDefaultStore();
      expect(store.location).toBe(path.join(home, STORE_FILE_NAME));
      await new SqlConnector({ connectionInfo: "sqlite+better-sqlite3:///:memory:" }).save("env-default");
      expect((await SqlConnector.list()).map((d) => d.name)).toEqual(["env-default"]);
    } finally {
      if (previous === undefined) delete process.env[HOME_ENV];
      else process.env[HOME_ENV] = previous;
    }
  });
});
