import mssql from "mssql";
import type { DataSource } from "typeorm";
import { afterEach, describe, expect, it, vi } from "vitest";
import mssqlPlugin from "../src/index.js";

const pool = new mssql.ConnectionPool({ server: "not-connected.invalid" });

/** What core hands the driver: an initialized DataSource whose SqlServerDriver holds the mssql pool in `master`. */
const dataSource = { driver: { master: pool } } as unknown as DataSource;

function connect() {
  return mssqlPlugin.connect(dataSource);
}

/** Begins a transaction without a server: mssql's Transaction.begin resolves at once. */
function withoutServer(): void {
  vi.spyOn(mssql.Transaction.prototype, "begin").mockImplementation(async function (this: mssql.Transaction) {
    return this;
  } as never);
}

interface Captured {
  parent: unknown;
  sql: string;
  parameters: Record<string, { type: unknown; value: unknown; length?: unknown }>;
}

function captureRequests(result: Partial<mssql.IResult<unknown>>): Captured[] {
  const captured: Captured[] = [];
  vi.spyOn(mssql.Request.prototype, "query").mockImplementation(async function (this: mssql.Request, sql: unknown) {
    const request = this as unknown as { parent: unknown; parameters: Captured["parameters"] };
    captured.push({ parent: request.parent, sql: String(sql), parameters: request.parameters });
    return { recordsets: [], recordset: undefined, rowsAffected: [], output: {}, ...result } as never;
  } as never);
  return captured;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("where SQL Server statements run", () => {
  it("outside a transaction: on the pool, which autocommits", async () => {
    const captured = captureRequests({ rowsAffected: [1] });
    await (await connect()).query("UPDATE t SET a = @p0", [1]);
    expect(captured[0]?.parent).toBe(pool);
  });

  it("inside a transaction: on the connection's mssql Transaction, with the isolation level asked for", async () => {
    withoutServer();
    const captured = captureRequests({ rowsAffected: [1] });
    const connection = await connect();
    await connection.begin("SERIALIZABLE");
    expect(vi.mocked(mssql.Transaction.prototype.begin).mock.calls[0]?.[0]).toBe(mssql.ISOLATION_LEVEL.SERIALIZABLE);
    await connection.query("UPDATE t SET a = @p0", [1]);
    expect(captured[0]?.parent).toBeInstanceOf(mssql.Transaction);
    expect((captured[0]?.parent as (mssql.Transaction & { parent: unknown }) | undefined)?.parent).toBe(pool);
  });

  it("refuses statements after release, and a DataSource not connected through this mssql module", async () => {
    captureRequests({});
    const connection = await connect();
    await connection.release(false);
    await expect(connection.query("SELECT 1", [])).rejects.toThrow(/already released/);
    await expect(mssqlPlugin.connect({ driver: { master: {} } } as unknown as DataSource)).rejects.toThrow(
      /not connected to SQL Server through this mssql module/,
    );
  });

  it("runs statements of one connection one at a time (a Transaction takes one request at a time)", async () => {
    withoutServer();
    let running = 0;
    let most = 0;
    vi.spyOn(mssql.Request.prototype, "query").mockImplementation((async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      return { recordsets: [], rowsAffected: [1], output: {} };
    }) as never);
    const shared = await connect();
    await shared.begin();
    await Promise.all([1, 2, 3].map((n) => shared.query("UPDATE t SET a = @p0", [n])));
    expect(most).toBe(1);
  });
});

describe("SQL Server results", () => {
  it("returns OUTPUT rows and the affected count", async () => {
    captureRequests({ recordsets: [[{ id: 7 }, { id: 8 }]] as never, rowsAffected: [2] });
    expect(await (await connect()).query("INSERT INTO t (a) OUTPUT inserted.id VALUES (@p0), (@p1)", [1, 2])).toEqual({
      rows: [{ id: 7 }, { id: 8 }],
      rowCount: 2,
    });
  });

  it("adds up the counts of every statement in a batch", async () => {
    captureRequests({ rowsAffected: [3, 4] });
    expect(await (await connect()).query("UPDATE a SET x = 1; UPDATE b SET x = 1", [])).toEqual({ rows: [], rowCount: 7 });
  });

  it("counts the rows of a SELECT under SET NOCOUNT ON", async () => {
    captureRequests({ recordsets: [[{ n: 1 }]] as never, rowsAffected: [] });
    expect(await (await connect()).query("SET NOCOUNT ON; SELECT 1 AS n", [])).toEqual({ rows: [{ n: 1 }], rowCount: 1 });
  });
});

describe("SQL Server parameter binding", () => {
  it("binds @p0… with types that keep the value", async () => {
    const captured = captureRequests({});
    const when = new Date("2024-05-06T07:08:09.123Z");
    await (await connect()).query("INSERT …", [
      "text",
      42,
      1.5,
      true,
      null,
      undefined,
      when,
      12345678901234567890n,
      Buffer.from("ab"),
      new Uint8Array([1, 2]),
      { a: 1 },
      [1, 2],
    ]);
    const parameters = captured[0]!.parameters;
    const typeOf = (name: string) => parameters[name]?.type;
    expect(Object.keys(parameters)).toEqual(["p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9", "p10", "p11"]);
    expect(typeOf("p0")).toBe(mssql.NVarChar);
    expect(typeOf("p1")).toBe(mssql.Int);
    expect(typeOf("p2")).toBe(mssql.Float);
    expect(typeOf("p3")).toBe(mssql.Bit);
    expect(parameters.p4?.value).toBeNull();
    expect(parameters.p5?.value).toBeNull();
    expect(typeOf("p6")).toBe(mssql.DateTime2);
    expect(parameters.p6?.value).toBe(when);
    expect(typeOf("p7")).toBe(mssql.BigInt);
    expect(typeOf("p8")).toBe(mssql.VarBinary);
    expect(Buffer.isBuffer(parameters.p9?.value)).toBe(true);
    expect(parameters.p10).toMatchObject({ type: mssql.NVarChar, value: '{"a":1}' });
    expect(parameters.p11).toMatchObject({ type: mssql.NVarChar, value: "[1,2]" });
  });
});
