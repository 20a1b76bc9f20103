import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SqlConnector } from "../src/connector/sql-connector.js";
import { clearDriverRegistry, registerDriver } from "../src/driver/registry.js";
import { Driver } from "../src/driver/drivers.js";
import { InvalidParametersError } from "../src/errors.js";
import { quoteIdentifier } from "../src/transfer/identifiers.js";
import { TransferError, type TransferProgress } from "../src/transfer/load-rows.js";
import { transfer } from "../src/transfer/transfer.js";
import { createTestPlugin, rejection, tempDir } from "./helpers/test-plugin.js";

let dir: ReturnType<typeof tempDir>;
let connectors: SqlConnector[];

function open(name: string): SqlConnector {
  const connector = new SqlConnector({ connectionInfo: `sqlite+better-sqlite3:///${path.join(dir.dir, name)}` });
  connectors.push(connector);
  return connector;
}

async function source(rows: number): Promise<SqlConnector> {
  const from = open("source.db");
  await from.execute("CREATE TABLE items (id INTEGER NOT NULL, name TEXT, weight REAL)");
  await from.executeMany(
    "INSERT INTO items (id, name, weight) VALUES (:id, :name, :weight)",
    Array.from({ length: rows }, (_, i) => ({ id: i + 1, name: i % 7 === 0 ? null : `item ${i + 1}`, weight: i / 4 })),
  );
  return from;
}

async function target(check = ""): Promise<SqlConnector> {
  const to = open("target.db");
  await to.execute(`CREATE TABLE copy (id INTEGER NOT NULL, name TEXT, weight REAL ${check})`);
  return to;
}

beforeEach(() => {
  dir = tempDir("sqlblocks-transfer-");
  connectors = [];
  registerDriver(createTestPlugin().plugin);
});
afterEach(async () => {
  for (const connector of connectors) await connector.close();
  clearDriverRegistry();
  dir.remove();
});

describe("transfer", () => {
  it("copies every row, in batches, with progress after each batch", async () => {
    const from = await source(2_345);
    const to = await target();
    const progress: TransferProgress[] = [];
    const result = await transfer({
      from,
      query: "SELECT id, name, weight FROM items ORDER BY id",
      to,
      table: "copy",
      batchSize: 1_000,
      onProgress: (p) => progress.push(p),
    });
    expect(result).toEqual({ rows: 2_345, batches: 3, columns: ["id", "name", "weight"] });
    expect(progress).toEqual([
      { rows: 1_000, batches: 1 },
      { rows: 2_000, batches: 2 },
      { rows: 2_345, batches: 3 },
    ]);
    const copied = await to.fetchAll("SELECT id, name, weight FROM copy ORDER BY id");
    const original = await from.fetchAll("SELECT id, name, weight FROM items ORDER BY id");
    expect(copied).toEqual(original);
    expect(copied.filter((row) => row.name === null)).toHaveLength(335);
  });

  it("maps columns by name and inserts NULL for a column the source does not have", async () => {
    const from = await source(10);
    const to = await target();
    await transfer({ from, query: "SELECT name, id FROM items", to, table: "copy", columns: ["id", "name", "weight"] });
    const rows = await to.fetchAll<{ id: number; weight: unknown }>("SELECT id, weight FROM copy ORDER BY id");
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(rows.every((r) => r.weight === null)).toBe(true);
  });

  it("an empty result copies nothing and is not an error", async () => {
    const from = await source(3);
    const to = await target();
    expect(await transfer({ from, query: "SELECT * FROM items WHERE id < 0", to, table: "copy" })).toEqual({
      rows: 0,
      batches: 0,
      columns: [],
    });
  });

  it('commit "all": a target failure half-way leaves the target empty', async () => {
    const from = await source(2_500);
    const to = await target("CHECK (id <> 1700)");
    const error = await rejection(
      transfer({ from, query: "SELECT id, name, weight FROM items ORDER BY id", to, table: "copy", batchSize: 500 }),
    );
    expect(error).toBeInstanceOf(TransferError);
    const failure = error as TransferError;
    expect(failure.code).toBe("SQLBLOCKS_TRANSFER_FAILED");
    expect(failure.side).toBe("target");
    expect(failure.committedRows).toBe(0);
    expect(failure.message).toMatch(/after 1500 rows \(rolled back: the target keeps none\)/);
    expect(await to.fetchOne("SELECT count(*) AS n FROM copy")).toEqual({ n: 0 });
  });

  it('commit "batch": a target failure half-way keeps exactly the batches committed before it', async () => {
    const from = await source(2_500);
    const to = await target("CHECK (id <> 1700)");
    const error = (await rejection(
      transfer({ from, query: "SELECT id, name, weight FROM items ORDER BY id", to, table: "copy", batchSize: 500, commit: "batch" }),
    )) as TransferError;
    expect(error).toBeInstanceOf(TransferError);
    expect(error.committedRows).toBe(1_500);
    expect(await to.fetchOne("SELECT count(*) AS n, max(id) AS top FROM copy")).toEqual({ n: 1_500, top: 1_500 });
  });

  it("a source failure is reported as the source's", async () => {
    const from = await source(3);
    const to = await target();
    const error = (await rejection(transfer({ from, query: "SELECT * FROM no_such_table", to, table: "copy" }))) as TransferError;
    expect(error).toBeInstanceOf(TransferError);
    expect(error.side).toBe("source");
  });

  it("releases the source cursor when the target fails", async () => {
    const from = await source(3_000);
    const to = await target("CHECK (id <> 10)");
    await rejection(transfer({ from, query: "SELECT id, name, weight FROM items", to, table: "copy", batchSize: 100 }));
    expect(from.openCursorCount).toBe(0);
    // The source connector still works.
    expect(await from.fetchOne("SELECT count(*) AS n FROM items")).toEqual({ n: 3_000 });
  });

  it("refuses bad options before touching either database", async () => {
    const from = await source(1);
    const to = await target();
    for (const bad of [{ batchSize: 0 }, { batchSize: 1.5 }, { commit: "sometimes" }, { table: "" }, { columns: [] }]) {
      const error = await rejection(
        transfer({ from, query: "SELECT * FROM items", to, table: "copy", ...(bad as object) }),
      );
      expect(error).toBeInstanceOf(InvalidParametersError);
    }
    expect(await to.fetchOne("SELECT count(*) AS n FROM copy")).toEqual({ n: 0 });
  });
});

describe("quoteIdentifier", () => {
  it("quotes per dialect, part by part, doubling the closing quote", () => {
    expect(quoteIdentifier(Driver.POSTGRESQL_PG, 'pub.my"t')).toBe('"pub"."my""t"');
    expect(quoteIdentifier(Driver.MARIADB_MYSQL2, "a`b")).toBe("`a``b`");
    expect(quoteIdentifier(Driver.MSSQL_TEDIOUS, "dbo.x]y")).toBe("[dbo].[x]]y]");
  });
  it("refuses empty names and parts", () => {
    expect(() => quoteIdentifier(Driver.SQLITE_BETTER_SQLITE3, "")).toThrow(InvalidParametersError);
    expect(() => quoteIdentifier(Driver.SQLITE_BETTER_SQLITE3, "a..b")).toThrow(InvalidParametersError);
  });
});
