import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Block } from "../src/blocks/block.js";
import { SqlConnector } from "../src/connector/sql-connector.js";
import { BlockNotFoundError, BlockTypeNotFoundError, InvalidBlockNameError } from "../src/errors.js";
import { BlockStore } from "../src/index.js";
import { MASK } from "../src/secret/secret.js";
import { tempDir } from "./helpers/test-plugin.js";

const PASSWORD = "describe-pass-3f9a";

let home: string;
let remove: () => void;
let store: BlockStore;

beforeAll(async () => {
  ({ dir: home, remove } = tempDir());
  store = await BlockStore.open({ home, env: {} });
  await new SqlConnector({
    connectionInfo: { driver: "postgres", username: "app", password: PASSWORD, host: "db", database: "shop" },
    ssl: { key: "KEY-describe", rejectUnauthorized: true },
    fetchSize: 5,
  }).save("warehouse", { store });
});
afterAll(async () => {
  await store.close();
  remove();
});

describe("Block.exists", () => {
  it("answers for the class and for slug/name on the base class", async () => {
    expect(await SqlConnector.exists("warehouse", { store })).toBe(true);
    expect(await Block.exists("sql-connector/warehouse", { store })).toBe(true);
    expect(await SqlConnector.exists("nowhere", { store })).toBe(false);
    expect(await Block.exists("sql-connector/nowhere", { store })).toBe(false);
  });

  it("refuses bad names and unknown types with typed errors", async () => {
    await expect(SqlConnector.exists("Bad Name", { store })).rejects.toBeInstanceOf(InvalidBlockNameError);
    await expect(Block.exists("no-such-type/warehouse", { store })).rejects.toBeInstanceOf(BlockTypeNotFoundError);
  });
});

describe("Block.describe", () => {
  it("gives the type, the record's times and version, and the data with secrets masked", async () => {
    const description = await Block.describe<SqlConnector>("sql-connector/warehouse", { store });
    expect(description).toMatchObject({
      reference: "sql-connector/warehouse",
      name: "warehouse",
      type: { slug: "sql-connector", name: "SQL Connector", schemaVersion: 1, secretFields: SqlConnector.type.secretFields },
      schemaVersion: 1,
      storeLocation: store.location,
      data: { connectionInfo: { password: MASK, host: "db" }, ssl: { key: MASK }, fetchSize: 5 },
    });
    expect(Date.parse(description.createdAt)).not.toBeNaN();
    expect(Date.parse(description.updatedAt)).toBeGreaterThanOrEqual(Date.parse(description.createdAt));
    expect(JSON.stringify({ ...description, block: undefined })).not.toContain(PASSWORD);
    expect(JSON.stringify({ ...description, block: undefined })).not.toContain("KEY-describe");
    expect(description.block).toBeInstanceOf(SqlConnector);
    expect(description.block.fetchSize).toBe(5);
    expect((await SqlConnector.describe("warehouse", { store })).reference).toBe("sql-connector/warehouse");
  });

  it("names the type, the name and the store when the block is missing", async () => {
    const failure = SqlConnector.describe("nowhere", { store });
    await expect(failure).rejects.toBeInstanceOf(BlockNotFoundError);
    await expect(failure).rejects.toThrow(store.location);
  });
});

describe("Block.listTypes", () => {
  it("lists the registered types with their secret fields", async () => {
    const types = await Block.listTypes({ store });
    expect(types.find((type) => type.slug === "sql-connector")).toEqual({
      slug: "sql-connector",
      name: "SQL Connector",
      description: SqlConnector.type.description,
      documentationUrl: SqlConnector.type.documentationUrl,
      fields: SqlConnector.type.fields,
      secretFields: SqlConnector.type.secretFields,
      schemaVersion: 1,
    });
    expect(types.map((type) => type.slug)).toEqual([...types.map((type) => type.slug)].sort());
  });
});
