import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { InvalidParametersError, SqlConnector, TransferError } from "@sqlblocks/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportQuery, FileFormatError, fetchArrow, loadFile } from "../src/index.js";
import { tempFolder } from "./helpers.js";

const dir = tempFolder();
let db: SqlConnector;

beforeAll(async () => {
  db = new SqlConnector({ connectionInfo: `sqlite+better-sqlite3:///${path.join(dir, "files.db")}` });
  await db.execute("CREATE TABLE items (id INTEGER NOT NULL, name TEXT, note TEXT, weight REAL, data BLOB)");
  await db.execute("CREATE TABLE copy (id INTEGER NOT NULL CHECK (id <> 2999), name TEXT, note TEXT, weight REAL, data BLOB)");
  await db.executeMany(
    "INSERT INTO items (id, name, note, weight, data) VALUES (:id, :name, :note, :weight, :data)",
    Array.from({ length: 3_000 }, (_, i) => ({
      id: i,
      name: i % 5 === 0 ? null : `name, "${i}"\nline two`,
      note: i % 3 === 0 ? "" : i % 3 === 1 ? null : "x",
      weight: i / 8,
      data: i % 4 === 0 ? null : Buffer.from([i % 256, 0, 255]),
    })),
  );
});
afterAll(async () => db.close());

async function count(): Promise<number> {
  const { rows } = await db.execute<{ n: number }>("SELECT count(*) AS n FROM copy");
  return rows[0]!.n;
}

async function reset(): Promise<void> {
  await db.execute("DELETE FROM copy");
  // fetch* pages on per (sql, params), as in prefect-sqlalchemy: start every test from row 1.
  await db.resetConnections();
}

describe.each(["csv", "ndjson", "parquet"] as const)("%s", (format) => {
  it("exports a query and loads the file back into an equal table (NULL and empty string kept apart)", async () => {
    await reset();
    const file = path.join(dir, `items.${format}`);
    const exported = await exportQuery(db, "SELECT id, name, note, weight FROM items WHERE id < 2999 ORDER BY id", {}, { path: file, chunkSize: 700 });
    expect(exported).toEqual({ rows: 2_999, format, path: file });
    const loaded = await loadFile(db, { path: file, table: "copy", batchSize: 1_000 });
    expect(loaded.rows).toBe(2_999);
    const copy = await db.fetchAll("SELECT id, name, note, weight FROM copy ORDER BY id");
    const original = await db.fetchAll("SELECT id, name, note, weight FROM items WHERE id < 2999 ORDER BY id");
    // CSV and NDJSON carry text: SQLite's column affinity turns numbers back into numbers.
    expect(copy).toEqual(original);
    expect(copy.filter((r) => r.note === "")).toHaveLength(1_000);
    expect(copy.filter((r) => r.note === null)).toHaveLength(1_000);
  });

  it("keeps all-or-nothing when the table refuses a row in the last batch, and names the failure", async () => {
    await reset();
    const file = path.join(dir, `all.${format}`);
    await exportQuery(db, "SELECT id, name FROM items ORDER BY id", {}, { path: file });
    const error = await loadFile(db, { path: file, table: "copy", batchSize: 1_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransferError);
    expect((error as TransferError).committedRows).toBe(0);
    expect((error as Error).message).toMatch(/CHECK constraint failed/);
    expect(await count()).toBe(0);
  });

  it('commit "batch" keeps the batches before the failing one', async () => {
    await reset();
    const file = path.join(dir, `batch.${format}`);
    await exportQuery(db, "SELECT id, name FROM items ORDER BY id", {}, { path: file });
    const error = (await loadFile(db, { path: file, table: "copy", batchSize: 1_000, commit: "batch" }).catch((e: unknown) => e)) as TransferError;
    expect(error.committedRows).toBe(2_000);
    expect(await count()).toBe(2_000);
  });

  it("a file column the table does not have is the database's error naming it; nothing loaded", async () => {
    await reset();
    const file = path.join(dir, `extra.${format}`);
    await exportQuery(db, "SELECT id, name AS nickname FROM items WHERE id < 10", {}, { path: file });
    const error = (await loadFile(db, { path: file, table: "copy" }).catch((e: unknown) => e)) as TransferError;
    expect(error).toBeInstanceOf(TransferError);
    expect(error.message).toMatch(/nickname/);
    expect(await count()).toBe(0);
  });

  it("columns the file does not have are refused before anything is written", async () => {
    await reset();
    const file = path.join(dir, `few.${format}`);
    await exportQuery(db, "SELECT id FROM items WHERE id < 10", {}, { path: file });
    const error = (await loadFile(db, { path: file, table: "copy", columns: ["id", "weight"] }).catch((e: unknown) => e)) as FileFormatError;
    expect(error).toBeInstanceOf(FileFormatError);
    expect(error.column).toBe("weight");
    expect(error.message).toMatch(/has no column "weight"/);
    expect(await count()).toBe(0);
  });
});

describe("binary values", () => {
  it("Parquet carries binary as binary", async () => {
    await reset();
    const file = path.join(dir, "blob.parquet");
    await exportQuery(db, "SELECT id, data FROM items WHERE id < 2999", {}, { path: file });
    await loadFile(db, { path: file, table: "copy" });
    const rows = await db.fetchAll<{ data: Buffer | null }>("SELECT data FROM copy ORDER BY id LIMIT 2 OFFSET 0");
    expect(rows[0]!.data).toBeNull();
    expect(Buffer.isBuffer(rows[1]!.data) && [...rows[1]!.data]).toEqual([1, 0, 255]);
  });
  it("CSV writes binary as \\x hex by default and base64 on request", async () => {
    const hex = path.join(dir, "blob.csv");
    await exportQuery(db, "SELECT data FROM items WHERE id = 1", {}, { path: hex });
    expect(readFileSync(hex, "utf8")).toBe("data\n\\x0100ff\n");
    await exportQuery(db, "SELECT data FROM items WHERE id = 1", {}, { path: hex, binary: "base64" });
    expect(readFileSync(hex, "utf8")).toBe("data\nAQD/\n");
  });
});

describe("bad files", () => {
  it("a malformed CSV line is a FileFormatError naming the line, and nothing is loaded", async () => {
    await reset();
    const file = path.join(dir, "bad.csv");
    const good = Array.from({ length: 50 }, (_, i) => `${i},n${i}`).join("\n");
    writeFileSync(file, `id,name\n${good}\n77,"unclosed\n`);
    const error = (await loadFile(db, { path: file, table: "copy", batchSize: 10 }).catch((e: unknown) => e)) as FileFormatError;
    expect(error).toBeInstanceOf(FileFormatError);
    expect(error.code).toBe("SQLBLOCKS_FILE_FORMAT");
    expect(error.line).toBe(52);
    expect(error.message).toMatch(/malformed CSV at line 52.*nothing was loaded/);
    expect(await count()).toBe(0);
  });
  it("a CSV line with too many fields is refused with its line", async () => {
    const file = path.join(dir, "wide.csv");
    writeFileSync(file, "id,name\n1,a\n2,b,c\n");
    const error = (await loadFile(db, { path: file, table: "copy" }).catch((e: unknown) => e)) as FileFormatError;
    expect(error).toBeInstanceOf(FileFormatError);
    expect(error.line).toBe(3);
  });
  it("an NDJSON line that is not an object names its line", async () => {
    const file = path.join(dir, "bad.ndjson");
    writeFileSync(file, '{"id":1}\n\n[2]\n');
    const error = (await loadFile(db, { path: file, table: "copy" }).catch((e: unknown) => e)) as FileFormatError;
    expect(error).toBeInstanceOf(FileFormatError);
    expect(error.line).toBe(3);
  });
  it("a file that is not Parquet is refused", async () => {
    const file = path.join(dir, "fake.parquet");
    writeFileSync(file, "id,name\n1,a\n");
    expect(await loadFile(db, { path: file, table: "copy" }).catch((e: unknown) => e)).toBeInstanceOf(FileFormatError);
  });
  it("an unknown extension or a missing file is a usage error", async () => {
    expect(await loadFile(db, { path: path.join(dir, "x.txt"), table: "copy" }).catch((e: unknown) => e)).toBeInstanceOf(InvalidParametersError);
    expect(await loadFile(db, { path: path.join(dir, "none.csv"), table: "copy" }).catch((e: unknown) => e)).toBeInstanceOf(InvalidParametersError);
  });
});

describe("fetchArrow", () => {
  it("builds an Arrow table from a query", async () => {
    const table = (await fetchArrow(db, "SELECT id, weight FROM items WHERE id < 100")) as { numRows: number; getChild(n: string): { get(i: number): unknown } | null };
    expect(table.numRows).toBe(100);
    expect(table.getChild("weight")?.get(8)).toBe(1);
  });
});
