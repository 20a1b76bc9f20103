import fs from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Block, registeredBlockTypes } from "../src/blocks/block.js";
import { SqlConnector } from "../src/connector/sql-connector.js";
import { Driver } from "../src/driver/drivers.js";
import {
  BlockAlreadyExistsError,
  BlockNotFoundError,
  BlockTypeNotFoundError,
  BlockValidationError,
  InvalidBlockNameError,
  InvalidConnectionInfoError,
} from "../src/errors.js";
import { isSecret, MASK, Secret } from "../src/secret/secret.js";
import { BlockStore, closeDefaultStores, HOME_ENV, STORE_FILE_NAME } from "../src/index.js";
import { rejection, tempDir } from "./helpers/test-plugin.js";

const PASSWORD = "original-pass-1";
const URL = `postgresql+pg://app:${PASSWORD}@db.internal:5432/shop?sslmode=require`;
const TYPE_META = { overwrite: false, typeName: "SQL Connector", schemaVersion: 1 };

function components(password: string | Secret = PASSWORD) {
  return { driver: "postgres", username: "app", password, host: "db.internal", port: 5432, database: "shop" };
}

let home: string;
let remove: () => void;
let store: BlockStore;

beforeAll(async () => {
  ({ dir: home, remove } = tempDir());
  store = await BlockStore.open({ home, env: {} });
});
afterAll(async () => {
  await store.close();
  remove();
});
afterEach(async () => {
  for (const { typeSlug, name } of await store.listDocuments()) await store.deleteDocument(typeSlug, name);
});

describe("SqlConnector block type", () => {
  it("is registered as 'SQL Connector' with slug sql-connector and its secret fields", () => {
    expect(SqlConnector.type).toMatchObject({
      name: "SQL Connector",
      slug: "sql-connector",
      schemaVersion: 1,
      secretFields: ["connectionInfo.password", "connectionInfo.url", "ssl.key"],
    });
    expect(SqlConnector.type.description).not.toBe("");
    expect(SqlConnector.type.documentationUrl).toMatch(/^https:\/\//);
    expect(registeredBlockTypes()).toContain(SqlConnector);
  });

  it("keeps a URL query key named __proto__ through save and load, as data", async () => {
    const original = new SqlConnector({ connectionInfo: "postgresql+pg://app@db/shop?__proto__=x&constructor=y&sslmode=require" });
    expect(Object.keys(original.components.query ?? {})).toEqual(["__proto__", "constructor", "sslmode"]);
    await original.save("proto-key", { store });
    const loaded = await SqlConnector.load("proto-key", { store });
    const query = loaded.components.query ?? {};
    expect(Object.keys(query)).toEqual(["__proto__", "constructor", "sslmode"]);
    expect(Object.getOwnPropertyDescriptor(query, "__proto__")?.value).toBe("x");
    expect(Object.getPrototypeOf(query)).toBe(Object.prototype);
    expect(loaded.renderUrl()).toBe(original.renderUrl());
    const asComponents = new SqlConnector({ connectionInfo: { driver: "postgres", database: "shop", query: JSON.parse('{"__proto__":"x"}') } });
    await asComponents.save("proto-components", { store });
    expect(Object.keys((await SqlConnector.load("proto-components", { store })).components.query ?? {})).toEqual(["__proto__"]);
  });

  it("refuses a query value that is not a string, naming the key", () => {
    const bad = { driver: "postgres", database: "shop", query: { sslmode: 1 as unknown as string } };
    expect(() => new SqlConnector({ connectionInfo: bad })).toThrow(InvalidConnectionInfoError);
    expect(() => new SqlConnector({ connectionInfo: bad })).toThrow(/query parameter "sslmode" must be a string/);
    // The stored shape refuses it too, naming the key, should a document be edited by hand.
    const checked = SqlConnector.type.schema.safeParse({ connectionInfo: bad });
    expect(checked.success).toBe(false);
    expect(checked.error?.issues[0]?.path).toEqual(["connectionInfo", "query", "sslmode"]);
  });

  it("records its type in the store on save", async () => {
    await new SqlConnector({ connectionInfo: components() }).save("typed", { store });
    const [type] = (await store.listTypes()).filter((t) => t.slug === "sql-connector");
    expect(type).toEqual({
      slug: "sql-connector",
      name: "SQL Connector",
      description: SqlConnector.type.description,
      documentationUrl: SqlConnector.type.documentationUrl,
      fields: [...SqlConnector.type.fields],
      secretFields: ["connectionInfo.password", "connectionInfo.url", "ssl.key"],
      schemaVersion: 1,
    });
  });
});

describe("save / load / list / delete", () => {
  it("round-trips a connector with components and every option", async () => {
    const original = new SqlConnector({
      connectionInfo: { ...components(), query: { application_name: "etl" } },
      fetchSize: 50,
      ssl: { ca: "CA", cert: "CERT", key: "KEY-1", rejectUnauthorized: false },
      pool: { max: 7, min: 1, idleTimeoutMs: 1000, acquireTimeoutMs: 2000 },
      connectTimeoutMs: 3000,
      connectArgs: { statement_timeout: 5000 },
      maxOpenCursors: 3,
    });
    await original.save("warehouse", { store });
    expect(original.blockName).toBe("warehouse");

    const loaded = await SqlConnector.load("warehouse", { store });
    expect(loaded).toBeInstanceOf(SqlConnector);
    expect(loaded.blockName).toBe("warehouse");
    expect(loaded.components.driver).toBe(Driver.POSTGRESQL_PG);
    expect(loaded.components.password?.reveal()).toBe(PASSWORD);
    expect({ ...loaded.components, password: undefined }).toEqual({
      driver: Driver.POSTGRESQL_PG,
      username: "app",
      password: undefined,
      host: "db.internal",
      port: 5432,
      database: "shop",
      query: { application_name: "etl" },
    });
    expect(loaded.fetchSize).toBe(50);
    expect(loaded.pool).toEqual({ max: 7, min: 1, idleTimeoutMs: 1000, acquireTimeoutMs: 2000 });
    expect(loaded.connectTimeoutMs).toBe(3000);
    expect(loaded.connectArgs).toEqual({ statement_timeout: 5000 });
    expect(loaded.maxOpenCursors).toBe(3);
    const ssl = loaded.ssl as { key: Secret; ca: string; cert: string; rejectUnauthorized: boolean };
    expect(isSecret(ssl.key)).toBe(true);
    expect(ssl.key.reveal()).toBe("KEY-1");
    expect({ ...ssl, key: undefined }).toEqual({ ca: "CA", cert: "CERT", key: undefined, rejectUnauthorized: false });
  });

  it("round-trips a connector given a URL string, keeping the URL as a secret", async () => {
    await new SqlConnector({ connectionInfo: URL }).save("by-url", { store });
    const loaded = await SqlConnector.load("by-url", { store });
    expect(isSecret(loaded.connectionInfo)).toBe(true);
    expect((loaded.connectionInfo as Secret).reveal()).toBe(URL);
    expect(loaded.components.password?.reveal()).toBe(PASSWORD);
    expect(loaded.components.host).toBe("db.internal");
    expect(loaded.components.query).toEqual({ sslmode: "require" });
    expect(loaded.renderUrl()).toBe("postgresql+pg://app:********@db.internal:5432/shop?sslmode=require");
    expect(loaded.fetchSize).toBe(1);
  });

  it("loads through the base class with 'slug/name'", async () => {
    await new SqlConnector({ connectionInfo: components() }).save("base-load", { store });
    const loaded = await Block.load<SqlConnector>("sql-connector/base-load", { store });
    expect(loaded).toBeInstanceOf(SqlConnector);
    expect(loaded.blockName).toBe("base-load");
    expect(loaded.components.password?.reveal()).toBe(PASSWORD);
    expect(loaded.blockType.slug).toBe("sql-connector");
  });

  it("refuses an unknown slug or a reference without one on the base class", async () => {
    const unknown = await rejection(Block.load("no-such-type/x", { store }));
    expect(unknown).toBeInstanceOf(BlockTypeNotFoundError);
    expect(unknown.message).toMatch(/^no block type with slug "no-such-type"; known types: .*\bsql-connector\b/);
    const bare = await rejection(Block.load("just-a-name", { store }));
    expect(bare).toBeInstanceOf(BlockTypeNotFoundError);
    expect(bare.message).toMatch(/^no block type with slug "just-a-name"; known types: .*sql-connector\/<name>/);
  });

  it("lists blocks of one type on the class, of every type on the base class", async () => {
    await new SqlConnector({ connectionInfo: components() }).save("b-two", { store });
    await new SqlConnector({ connectionInfo: components() }).save("a-one", { store });
    await store.writeDocument("other-type", "zzz", { ...TYPE_META, typeName: "Other" }, () => "{}");
    expect((await SqlConnector.list({ store })).map((d) => d.name)).toEqual(["a-one", "b-two"]);
    expect((await Block.list({ store })).map((d) => `${d.typeSlug}/${d.name}`)).toEqual([
      "other-type/zzz",
      "sql-connector/a-one",
      "sql-connector/b-two",
    ]);
    const [first] = await SqlConnector.list({ store });
    expect(first).toMatchObject({ typeSlug: "sql-connector", name: "a-one", schemaVersion: 1 });
  });

  it("deletes by name on the class and by 'slug/name' on the base class", async () => {
    await new SqlConnector({ connectionInfo: components() }).save("gone-1", { store });
    await new SqlConnector({ connectionInfo: components() }).save("gone-2", { store });
    expect(await SqlConnector.delete("gone-1", { store })).toBe(true);
    expect(await SqlConnector.delete("gone-1", { store })).toBe(false);
    expect(await Block.delete("sql-connector/gone-2", { store })).toBe(true);
    expect(await SqlConnector.list({ store })).toEqual([]);
    await expect(SqlConnector.load("gone-1", { store })).rejects.toThrow(BlockNotFoundError);
  });

  it("checks the name on save, load and delete", async () => {
    const connector = new SqlConnector({ connectionInfo: components() });
    const error = await rejection(connector.save("My Warehouse!", { store }));
    expect(error).toBeInstanceOf(InvalidBlockNameError);
    expect(error.message).toContain('try "my-warehouse"');
    expect(connector.blockName).toBeUndefined();
    await expect(SqlConnector.load("Bad Name", { store })).rejects.toThrow(InvalidBlockNameError);
    await expect(Block.load("sql-connector/Bad Name", { store })).rejects.toThrow(InvalidBlockNameError);
    await expect(SqlConnector.delete("Bad Name", { store })).rejects.toThrow(InvalidBlockNameError);
    expect(await store.listDocuments()).toEqual([]);
  });

  it("refuses options that do not validate when the connector is made, naming the field", async () => {
    let error: unknown;
    try {
      new SqlConnector({ connectionInfo: components(), pool: { max: 0 } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(BlockValidationError);
    expect((error as BlockValidationError).fields).toEqual(["pool.max"]);
    expect((error as Error).message).toMatch(/^invalid SQL Connector block options: pool\.max: /);
    expect(await store.listDocuments()).toEqual([]);
  });
});

describe("existing and missing names", () => {
  it("save of an existing name without overwrite says to pass overwrite: true, and changes nothing", async () => {
    await new SqlConnector({ connectionInfo: components() }).save("exists", { store });
    const error = await rejection(new SqlConnector({ connectionInfo: components("other") }).save("exists", { store }));
    expect(error).toBeInstanceOf(BlockAlreadyExistsError);
    expect((error as BlockAlreadyExistsError).code).toBe("SQLBLOCKS_BLOCK_EXISTS");
    expect(error.message).toBe('a SQL Connector block named "exists" already exists: pass { overwrite: true } to replace it');
    expect((await SqlConnector.load("exists", { store })).components.password?.reveal()).toBe(PASSWORD);
  });

  it("overwrite: true replaces the block", async () => {
    await new SqlConnector({ connectionInfo: components() }).save("replace", { store });
    await new SqlConnector({ connectionInfo: { ...components("new-pass"), host: "db2" }, fetchSize: 9 }).save("replace", {
      store,
      overwrite: true,
    });
    const loaded = await SqlConnector.load("replace", { store });
    expect(loaded.components.password?.reveal()).toBe("new-pass");
    expect(loaded.components.host).toBe("db2");
    expect(loaded.fetchSize).toBe(9);
  });

  it("load of a missing name names the type, the name and the store location", async () => {
    const error = await rejection(SqlConnector.load("missing", { store }));
    expect(error).toBeInstanceOf(BlockNotFoundError);
    expect((error as BlockNotFoundError).code).toBe("SQLBLOCKS_BLOCK_NOT_FOUND");
    expect(error.message).toBe(`no SQL Connector block named "missing" in the store at ${path.join(home, STORE_FILE_NAME)}`);
    const viaBase = await rejection(Block.load("sql-connector/missing", { store }));
    expect(viaBase.message).toBe(error.message);
  });
});

describe("overwrite with masked secrets keeps the stored ones", () => {
  it("a masked components password", async () => {
    await new SqlConnector({ connectionInfo: components() }).save("masked", { store });
    await new SqlConnector({ connectionInfo: { ...components(MASK), host: "db2" } }).save("masked", { store, overwrite: true });
    const loaded = await SqlConnector.load("masked", { store });
    expect(loaded.components.password?.reveal()).toBe(PASSWORD);
    expect(loaded.components.host).toBe("db2");
  });

  it("a masked components password given as a Secret", async () => {
    await new SqlConnector({ connectionInfo: components() }).save("masked-secret", { store });
    await new SqlConnector({ connectionInfo: components(new Secret(MASK)) }).save("masked-secret", { store, overwrite: true });
    expect((await SqlConnector.load("masked-secret", { store })).components.password?.reveal()).toBe(PASSWORD);
  });

  it("a masked password inside a URL", async () => {
    await new SqlConnector({ connectionInfo: URL }).save("masked-url", { store });
    const shown = (await SqlConnector.load("masked-url", { store })).renderUrl();
    expect(shown).toBe("postgresql+pg://app:********@db.internal:5432/shop?sslmode=require");
    // What a user copies from `block inspect`, with the host changed.
    await new SqlConnector({ connectionInfo: shown.replace("db.internal", "db2.internal") }).save("masked-url", {
      store,
      overwrite: true,
    });
    const loaded = await SqlConnector.load("masked-url", { store });
    expect(loaded.components.password?.reveal()).toBe(PASSWORD);
    expect(loaded.components.host).toBe("db2.internal");
    expect((loaded.connectionInfo as Secret).reveal()).toBe(`postgresql+pg://app:${PASSWORD}@db2.internal:5432/shop?sslmode=require`);
  });

  it("a masked URL password over a stored components password", async () => {
    await new SqlConnector({ connectionInfo: components("p@ss/word") }).save("masked-mixed", { store });
    await new SqlConnector({ connectionInfo: "postgresql+pg://app:********@db3/shop" }).save("masked-mixed", {
      store,
      overwrite: true,
    });
    const loaded = await SqlConnector.load("masked-mixed", { store });
    expect(loaded.components.password?.reveal()).toBe("p@ss/word");
    expect(loaded.components.host).toBe("db3");
  });

  it("a masked components password over a stored URL", async () => {
    await new SqlConnector({ connectionInfo: URL }).save("masked-mixed-2", { store });
    await new SqlConnector({ connectionInfo: { ...components(MASK), host: "db4" } }).save("masked-mixed-2", {
      store,
      overwrite: true,
    });
    const loaded = await SqlConnector.load("masked-mixed-2", { store });
    expect(loaded.components.password?.reveal()).toBe(PASSWORD);
    expect(loaded.components.host).toBe("db4");
  });

  it("a masked ssl.key", async () => {
    await new SqlConnector({ connectionInfo: components(), ssl: { key: "KEY-1", ca: "CA-1" } }).save("masked-ssl", { store });
    await new SqlConnector({ connectionInfo: components(MASK), ssl: { key: MASK, ca: "CA-2" } }).save("masked-ssl", {
      store,
      overwrite: true,
    });
    const ssl = (await SqlConnector.load("masked-ssl", { store })).ssl as { key: Secret; ca: string };
    expect(ssl.key.reveal()).toBe("KEY-1");
    expect(ssl.ca).toBe("CA-2");
  });

  it("a real new password replaces the stored one, and a masked URL with no stored password stays as given", async () => {
    await new SqlConnector({ connectionInfo: URL }).save("real-new", { store });
    await new SqlConnector({ connectionInfo: URL.replace(PASSWORD, "brand-new") }).save("real-new", { store, overwrite: true });
    expect((await SqlConnector.load("real-new", { store })).components.password?.reveal()).toBe("brand-new");

    await new SqlConnector({ connectionInfo: "postgresql+pg://app@db/shop" }).save("no-password", { store });
    await new SqlConnector({ connectionInfo: "postgresql+pg://app:********@db/shop" }).save("no-password", {
      store,
      overwrite: true,
    });
    expect((await SqlConnector.load("no-password", { store })).components.password?.reveal()).toBe(MASK);
  });
});

describe("stored documents that no longer validate", () => {
  const writeRaw = (name: string, data: unknown, schemaVersion = 1) =>
    store.writeDocument("sql-connector", name, { ...TYPE_META, schemaVersion }, () => JSON.stringify(data));

  it("gives BlockValidationError naming the bad fields", async () => {
    await writeRaw("bad", {
      connectionInfo: { url: { $secret: "sqlite+better-sqlite3:///:memory:" } },
      fetchSize: -1,
      connectTimeoutMs: "soon",
    });
    const error = (await rejection(SqlConnector.load("bad", { store }))) as BlockValidationError;
    expect(error).toBeInstanceOf(BlockValidationError);
    expect(error.code).toBe("SQLBLOCKS_BLOCK_INVALID");
    expect(error.fields).toEqual(["fetchSize", "connectTimeoutMs"]);
    expect(error.message).toMatch(
      /^invalid SQL Connector block "bad" \(stored\): fetchSize: .+; connectTimeoutMs: .+; load it with \{ validate: false \} to read what is still valid$/,
    );
  });

  it("names the schema versions when the document was stored with another one", async () => {
    await writeRaw("old", { connectionInfo: { url: { $secret: "sqlite+better-sqlite3:///:memory:" } }, pool: { max: 0 } }, 0);
    const error = (await rejection(SqlConnector.load("old", { store }))) as BlockValidationError;
    expect(error.fields).toEqual(["pool.max"]);
    expect(error.message).toMatch(/^invalid SQL Connector block "old" \(stored with schema version 0, now 1\): pool\.max: /);
  });

  it("a good document loads without the schema (the quick check passes it), a bad one goes to the schema once", async () => {
    await new SqlConnector({ connectionInfo: components(), pool: { max: 3 } }).save("once", { store });
    await writeRaw("bad-once", { connectionInfo: { url: { $secret: "sqlite+better-sqlite3:///:memory:" } }, fetchSize: 1, pool: { max: 0 } });
    const schema = SqlConnector.type.schema;
    expect(SqlConnector.type.schema).toBe(schema);
    const original = schema.safeParse;
    let calls = 0;
    schema.safeParse = ((data: unknown) => {
      calls++;
      return original(data);
    }) as typeof schema.safeParse;
    try {
      const loaded = await SqlConnector.load("once", { store });
      expect(loaded.pool).toEqual({ max: 3 });
      expect(calls).toBe(0);
      // A bad document: the schema names the field, and the constructor does not check it again.
      const error = (await rejection(SqlConnector.load("bad-once", { store }))) as BlockValidationError;
      expect(error.fields).toEqual(["pool.max"]);
      expect(calls).toBe(1);
      // Made directly, a connector is still checked when constructed.
      expect(() => new SqlConnector({ connectionInfo: components(), pool: { max: 0 } })).toThrow(BlockValidationError);
      expect(calls).toBe(2);
    } finally {
      schema.safeParse = original;
    }
  });

  it("{ validate: false } loads what it can", async () => {
    await writeRaw("lenient", {
      connectionInfo: { url: { $secret: "sqlite+better-sqlite3:///:memory:" } },
      connectTimeoutMs: -5,
      pool: { max: 0 },
    });
    const loaded = await SqlConnector.load("lenient", { store, validate: false });
    expect(loaded.blockName).toBe("lenient");
    expect(loaded.connectTimeoutMs).toBe(-5);
    expect(loaded.pool).toEqual({ max: 0 });
    expect(loaded.components.driver).toBe(Driver.SQLITE_BETTER_SQLITE3);
  });
});

describe("the default store ($SQLBLOCKS_HOME)", () => {
  let defaultHome: ReturnType<typeof tempDir>;
  let previous: string | undefined;
  beforeEach(() => {
    defaultHome = tempDir();
    previous = process.env[HOME_ENV];
    process.env[HOME_ENV] = defaultHome.dir;
  });
  afterEach(async () => {
    await closeDefaultStores();
    if (previous === undefined) delete process.env[HOME_ENV];
    else process.env[HOME_ENV] = previous;
    defaultHome.remove();
  });

  it("is used when no store is given", async () => {
    await new SqlConnector({ connectionInfo: components() }).save("default-one");
    expect(fs.existsSync(path.join(defaultHome.dir, STORE_FILE_NAME))).toBe(true);
    expect(fs.existsSync(path.join(defaultHome.dir, "encryption.key"))).toBe(true);
    expect((await SqlConnector.load("default-one")).components.password?.reveal()).toBe(PASSWORD);
    expect((await Block.load<SqlConnector>("sql-connector/default-one")).blockName).toBe("default-one");
    expect((await SqlConnector.list()).map((d) => d.name)).toEqual(["default-one"]);
    // Nothing went to the explicit store.
    expect(await store.listDocuments()).toEqual([]);
    const error = await rejection(SqlConnector.load("nope"));
    expect(error.message).toBe(`no SQL Connector block named "nope" in the store at ${path.join(defaultHome.dir, STORE_FILE_NAME)}`);
    expect(await SqlConnector.delete("default-one")).toBe(true);
  });
});
