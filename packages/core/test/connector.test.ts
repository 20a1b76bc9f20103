import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type StatementEvent, statementChannel } from "../src/connector/events.js";
import type { SqlConnectorOptions } from "../src/connector/options.js";
import { SqlConnector } from "../src/connector/sql-connector.js";
import { clearDriverRegistry, registerDriver } from "../src/driver/registry.js";
import {
  DatabaseError,
  LockTimeoutError,
  UniqueViolationError,
  InvalidParametersError,
  MissingParametersError,
  TooManyCursorsError,
} from "../src/errors.js";
import { createTestPlugin, ids, type PluginCalls, rejection, seedItems, tempDir } from "./helpers/test-plugin.js";

const MEMORY_URL = "sqlite+better-sqlite3:///:memory:";
const PARAM_VALUE = "param-value-do-not-log";

let calls: PluginCalls;
let connectors: SqlConnector[];
let failWith: ((sql: string) => unknown) | undefined;

function connect(options: Partial<SqlConnectorOptions> = {}): SqlConnector {
  const connector = new SqlConnector({ connectionInfo: MEMORY_URL, ...options });
  connectors.push(connector);
  return connector;
}

async function seeded(rows = 5, options: Partial<SqlConnectorOptions> = {}): Promise<SqlConnector> {
  return seedItems(connect(options), rows);
}
const ALL = "SELECT id FROM items ORDER BY id";

beforeEach(() => {
  connectors = [];
  failWith = undefined;
  const test = createTestPlugin({ failWith: (sql) => failWith?.(sql) });
  calls = test.calls;
  registerDriver(test.plugin);
});
afterEach(async () => {
  for (const connector of connectors) await connector.close();
  clearDriverRegistry();
});

describe("parameters are checked before the database is touched", () => {
  it.each([
    ["execute", (c: SqlConnector) => c.execute("SELECT :a AS a, :b AS b", { a: 1 })],
    ["fetchOne", (c: SqlConnector) => c.fetchOne("SELECT :a AS a, :b AS b", { a: 1 })],
    ["fetchMany", (c: SqlConnector) => c.fetchMany("SELECT :a AS a, :b AS b", { a: 1 }, 2)],
    ["fetchAll", (c: SqlConnector) => c.fetchAll("SELECT :a AS a, :b AS b", { a: 1 })],
    ["stream", (c: SqlConnector) => c.stream("SELECT :a AS a, :b AS b", { a: 1 }).next()],
  ])("%s with a missing named parameter throws MissingParametersError", async (_name, run) => {
    const error = await rejection(run(connect()));
    expect(error).toBeInstanceOf(MissingParametersError);
    expect(error.message).toBe("missing value for parameter :b");
    expect((error as MissingParametersError).missing).toEqual(["b"]);
    expect(calls.createDataSourceOptions).toBe(0);
    expect(calls.query).toBe(0);
    expect(calls.openCursor).toBe(0);
  });

  it("executeMany names the parameter set that lacks values", async () => {
    const error = await rejection(
      connect().executeMany("INSERT INTO t (a, b) VALUES (:a, :b)", [{ a: 1, b: 2 }, { a: 1 }, { b: 3 }]),
    );
    expect(error).toBeInstanceOf(MissingParametersError);
    expect(error.message).toBe("missing value for parameter :b in parameter set 1");
    expect((error as MissingParametersError).index).toBe(1);
    const update = await rejection(connect().executeMany("UPDATE t SET a = :a WHERE b = :b", [{ a: 1, b: 2 }, {}]));
    expect(update.message).toBe("missing values for parameters :a, :b in parameter set 1");
    expect(calls.createDataSourceOptions).toBe(0);
    expect(calls.query).toBe(0);
  });

  it("a statement without parameters needs none; an unknown extra key is ignored", async () => {
    const connector = connect();
    expect((await connector.execute("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    expect((await connector.execute("SELECT :a AS a", { a: 2, extra: 3 })).rows).toEqual([{ a: 2 }]);
  });
});

describe("execute", () => {
  it("returns rowCount and rows, binds a name used twice, and commits", async () => {
    const connector = await seeded(3);
    const update = await connector.execute("UPDATE items SET name = :name WHERE id >= :min", { name: "x", min: 2 });
    expect(update).toEqual({ rowCount: 2, rows: [] });
    const select = await connector.execute("SELECT id FROM items WHERE id = :id OR id = :id + 1 ORDER BY id", { id: 1 });
    expect(select).toEqual({ rowCount: 2, rows: [{ id: 1 }, { id: 2 }] });
    expect(calls.values.at(-1)).toEqual([1, 1]);
    expect(calls.sql.at(-1)).toBe("SELECT id FROM items WHERE id = ? OR id = ? + 1 ORDER BY id");
    expect((await connector.execute("SELECT count(*) AS n FROM items WHERE name = 'x'")).rows).toEqual([{ n: 2 }]);
  });

  it("accepts positional values for the driver's own placeholders", async () => {
    const connector = connect();
    expect((await connector.execute("SELECT ? AS a, ? AS b", [1, "two"])).rows).toEqual([{ a: 1, b: "two" }]);
  });

  it("refuses empty SQL", async () => {
    await expect(connect().execute("  ")).rejects.toThrow(new InvalidParametersError("sql must be a non-empty string"));
  });

  it("creates the DataSource lazily, once", async () => {
    const connector = connect();
    expect(calls.createDataSourceOptions).toBe(0);
    await connector.execute("SELECT 1");
    await connector.execute("SELECT 2");
    expect(calls.createDataSourceOptions).toBe(1);
  });
});

describe("database errors", () => {
  it("are DatabaseError with the SQL, the driver's code and transient from classifyError", async () => {
    const connector = connect();
    const error = (await rejection(connector.execute("SELECT * FROM missing_table WHERE a = :a", { a: PARAM_VALUE }))) as DatabaseError;
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.code).toBe("SQLBLOCKS_DATABASE");
    expect(error.sql).toBe("SELECT * FROM missing_table WHERE a = :a");
    expect(error.driverCode).toBe("SQLITE_ERROR");
    expect(error.transient).toBe(false);
    expect(error.index).toBeUndefined();
    expect(error.message).toBe("[SQLITE_ERROR] no such table: missing_table — while running: SELECT * FROM missing_table WHERE a = :a");
    expect((error.cause as { code?: string }).code).toBe("SQLITE_ERROR");
  });

  it("never carry parameter values", async () => {
    const connector = await seeded(1);
    const error = (await rejection(
      connector.execute("INSERT INTO items (id, name) VALUES (:id, :name)", { id: 1, name: PARAM_VALUE }),
    )) as DatabaseError;
    expect(error.driverCode).toBe("SQLITE_CONSTRAINT_PRIMARYKEY");
    expect(error).toBeInstanceOf(UniqueViolationError);
    expect(error.code).toBe("SQLBLOCKS_UNIQUE_VIOLATION");
    expect(error.message).toBe(
      "[SQLITE_CONSTRAINT_PRIMARYKEY] UNIQUE constraint failed: items.id — while running: INSERT INTO items (id, name) VALUES (:id, :name)",
    );
    expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toContain(PARAM_VALUE);
  });

  it("are transient when the driver says so", async () => {
    const connector = connect();
    failWith = (sql) => (sql.includes("busy") ? Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" }) : undefined);
    const error = (await rejection(connector.execute("SELECT 'busy'"))) as DatabaseError;
    expect(error).toBeInstanceOf(LockTimeoutError);
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.transient).toBe(true);
    expect(error.code).toBe("SQLBLOCKS_LOCK_TIMEOUT");
    expect(error.driverCode).toBe("SQLITE_BUSY");
    expect(error.message).toBe("[SQLITE_BUSY] database is locked — while running: SELECT 'busy'");
    // The connector recovers.
    expect((await connector.execute("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
  });
});

describe("executeMany", () => {
  it("inserts every set through multi-row INSERT batches", async () => {
    const connector = await seeded(0);
    const result = await connector.executeMany(
      "INSERT INTO items (id, name) VALUES (:id, :name)",
      [1, 2, 3].map((id) => ({ id, name: `n${id}` })),
    );
    expect(result).toEqual({ rowCount: 3, rows: [] });
    expect(calls.sql.at(-1)).toBe("INSERT INTO items (id, name) VALUES (?, ?), (?, ?), (?, ?)");
    expect(calls.values.at(-1)).toEqual([1, "n1", 2, "n2", 3, "n3"]);
    expect(ids(await connector.fetchAll(ALL))).toEqual([1, 2, 3]);
  });

  it("is all or nothing and names the failing index (INSERT fast path)", async () => {
    const connector = await seeded(0);
    const error = (await rejection(
      connector.executeMany("INSERT INTO items (id, name) VALUES (:id, :name)", [
        { id: 1, name: "a" },
        { id: 2, name: "b" },
        { id: 1, name: PARAM_VALUE },
        { id: 4, name: "d" },
      ]),
    )) as DatabaseError;
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.index).toBe(2);
    expect(error.driverCode).toBe("SQLITE_CONSTRAINT_PRIMARYKEY");
    expect(error).toBeInstanceOf(UniqueViolationError);
    expect(error.code).toBe("SQLBLOCKS_UNIQUE_VIOLATION");
    expect(error.message).toBe(
      "[SQLITE_CONSTRAINT_PRIMARYKEY] UNIQUE constraint failed: items.id (parameter set 2) — while running: INSERT INTO items (id, name) VALUES (:id, :name)",
    );
    expect(error.message).not.toContain(PARAM_VALUE);
    expect(await connector.fetchAll(ALL)).toEqual([]);
  });

  it("is all or nothing and names the failing index (one statement per set)", async () => {
    const connector = await seeded(3);
    const error = (await rejection(
      connector.executeMany("UPDATE items SET id = :to WHERE id = :from", [
        { from: 1, to: 10 },
        { from: 2, to: 20 },
        { from: 3, to: 10 },
      ]),
    )) as DatabaseError;
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error.index).toBe(2);
    expect(error.message).toContain("(parameter set 2)");
    expect(calls.sql.filter((sql) => sql === "UPDATE items SET id = ? WHERE id = ?")).toHaveLength(3);
    expect(ids(await connector.fetchAll(ALL))).toEqual([1, 2, 3]);
  });

  it("does nothing for an empty list and refuses a non-array", async () => {
    const connector = connect();
    expect(await connector.executeMany("INSERT INTO items (id) VALUES (:id)", [])).toEqual({ rowCount: 0, rows: [] });
    expect(calls.createDataSourceOptions).toBe(0);
    await expect(connector.executeMany("SELECT 1", {} as unknown as [])).rejects.toThrow(
      new InvalidParametersError("executeMany needs an array of parameter sets"),
    );
  });
});

describe("fetchOne / fetchMany / fetchAll", () => {
  it("page on through one cursor per (sql, params); an exhausted cursor gives [] until resetConnections", async () => {
    const connector = await seeded(5);
    const opened = calls.openCursor;
    expect(ids(await connector.fetchMany(ALL, {}, 2))).toEqual([1, 2]);
    expect(connector.openCursorCount).toBe(1);
    expect(ids(await connector.fetchMany(ALL, undefined, 2))).toEqual([3, 4]);
    expect(ids(await connector.fetchMany(ALL, {}, 2))).toEqual([5]);
    // Exhausted: the cursor was closed and its connection released at once.
    expect(connector.openCursorCount).toBe(0);
    expect(calls.cursorClose).toBe(1);
    expect(calls.openCursor).toBe(opened + 1);
    expect(await connector.fetchMany(ALL, {}, 2)).toEqual([]);
    expect(await connector.fetchOne(ALL)).toBeUndefined();
    expect(await connector.fetchAll(ALL)).toEqual([]);
    expect(calls.openCursor).toBe(opened + 1);

    await connector.resetConnections();
    expect(ids(await connector.fetchMany(ALL, {}, 2))).toEqual([1, 2]);
  });

  it("fetchOne gives one row at a time; fetchAll gives the remaining rows", async () => {
    const connector = await seeded(4);
    expect(await connector.fetchOne(ALL)).toEqual({ id: 1 });
    expect(await connector.fetchOne(ALL)).toEqual({ id: 2 });
    expect(ids(await connector.fetchAll(ALL))).toEqual([3, 4]);
    expect(connector.openCursorCount).toBe(0);
    expect(await connector.fetchOne(ALL)).toBeUndefined();
  });

  it("fetchMany's size defaults to fetchSize (1 unless configured)", async () => {
    expect(ids(await (await seeded(5)).fetchMany(ALL))).toEqual([1]);
    expect(ids(await (await seeded(5, { fetchSize: 3 })).fetchMany(ALL))).toEqual([1, 2, 3]);
    // Python's `size = size or self.fetch_size`: 0 means fetchSize too.
    const sized = await seeded(5, { fetchSize: 2 });
    expect(ids(await sized.fetchMany(ALL, {}, 0))).toEqual([1, 2]);
    await expect(connect().fetchMany(ALL, {}, -1)).rejects.toThrow(
      new InvalidParametersError("fetchMany size must be a positive integer (or 0 for fetchSize), got -1"),
    );
    await expect(connect().fetchMany(ALL, {}, 1.5)).rejects.toThrow(
      new InvalidParametersError("fetchMany size must be a positive integer (or 0 for fetchSize), got 1.5"),
    );
    expect(() => connect({ fetchSize: 0 })).toThrow(new InvalidParametersError("fetchSize must be a positive integer, got 0"));
  });

  it("keeps separate cursors for different parameters (key order does not matter)", async () => {
    const connector = await seeded(6);
    const sql = "SELECT id FROM items WHERE id > :min AND id < :max ORDER BY id";
    expect(ids(await connector.fetchMany(sql, { min: 0, max: 9 }, 2))).toEqual([1, 2]);
    expect(ids(await connector.fetchMany(sql, { min: 3, max: 9 }, 2))).toEqual([4, 5]);
    expect(connector.openCursorCount).toBe(2);
    expect(ids(await connector.fetchMany(sql, { max: 9, min: 0 }, 2))).toEqual([3, 4]);
    await connector.resetConnections();
    expect(connector.openCursorCount).toBe(0);
    expect(calls.cursorClose).toBe(2);
  });

  it("bounds the number of open cursors with a clear error", async () => {
    const connector = await seeded(5, { maxOpenCursors: 2 });
    await connector.fetchOne("SELECT id FROM items WHERE id > :n ORDER BY id", { n: 0 });
    await connector.fetchOne("SELECT id FROM items WHERE id > :n ORDER BY id", { n: 1 });
    const error = await rejection(connector.fetchOne("SELECT id FROM items WHERE id > :n ORDER BY id", { n: 2 }));
    expect(error).toBeInstanceOf(TooManyCursorsError);
    expect(error.message).toBe(
      "more than 2 fetch cursors are open on this connector: read them to the end, call resetConnections(), or raise maxOpenCursors",
    );
    await connector.resetConnections();
    expect(await connector.fetchOne("SELECT id FROM items WHERE id > :n ORDER BY id", { n: 2 })).toEqual({ id: 3 });
  });
});

describe("stream", () => {
  it("yields chunks of chunkSize and closes the cursor at the end", async () => {
    const connector = await seeded(7);
    const chunks: unknown[][] = [];
    for await (const chunk of connector.stream(ALL, {}, { chunkSize: 3 })) chunks.push(ids(chunk));
    expect(chunks).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    expect(calls.cursorClose).toBe(1);
  });

  it("an early break closes the cursor exactly once and releases the connection", async () => {
    const connector = await seeded(7);
    for await (const chunk of connector.stream(ALL, {}, { chunkSize: 2 })) {
      expect(ids(chunk)).toEqual([1, 2]);
      break;
    }
    expect(calls.cursorClose).toBe(1);
    expect(calls.openCursor).toBe(1);
    // The connection is free again.
    expect((await connector.execute("SELECT count(*) AS n FROM items")).rows).toEqual([{ n: 7 }]);
  });

  it("an exception inside the loop closes the cursor too", async () => {
    const connector = await seeded(7);
    await expect(
      (async () => {
        for await (const _chunk of connector.stream(ALL, {}, { chunkSize: 2 })) throw new Error("consumer failed");
      })(),
    ).rejects.toThrow("consumer failed");
    expect(calls.cursorClose).toBe(1);
  });

  it("a failing stream reports the wrapped error's code in its statement event", async () => {
    const connector = await seeded(1);
    const events: StatementEvent[] = [];
    const listener = (message: unknown): void => {
      events.push(message as StatementEvent);
    };
    statementChannel.subscribe(listener);
    try {
      const failure = await rejection(connector.stream("SELECT nope FROM items").next());
      expect(failure).toMatchObject({ name: "DatabaseError", code: "SQLBLOCKS_DATABASE" });
    } finally {
      statementChannel.unsubscribe(listener);
    }
    expect(events.filter((event) => event.operation === "stream")).toMatchObject([{ errorCode: "SQLBLOCKS_DATABASE", rowCount: 0 }]);
  });

  it("close() ends a stream still open: its connection is released and the next chunk fails", async () => {
    const connector = await seeded(7);
    const stream = connector.stream(ALL, {}, { chunkSize: 2 });
    expect(ids((await stream.next()).value as Record<string, unknown>[])).toEqual([1, 2]);
    await connector.close();
    // Ended by close(): the cursor was closed exactly once, and the stream fails on.
    expect(calls.cursorClose).toBe(1);
    await expect(stream.next()).rejects.toThrow(/the connector was closed while this stream was open/);
    expect(calls.cursorClose).toBe(1);
    // The connector stays usable on a new pool.
    expect((await connector.execute("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
  });

  it("refuses a bad chunkSize", async () => {
    await expect(connect().stream(ALL, {}, { chunkSize: 0 }).next()).rejects.toThrow(
      new InvalidParametersError("chunkSize must be a positive integer, got 0"),
    );
  });
});

describe("transaction", () => {
  it("commits when the callback resolves and rolls back when it throws", async () => {
    const connector = await seeded(0);
    const value = await connector.transaction(async (tx) => {
      await tx.execute("INSERT INTO items (id, name) VALUES (:id, :name)", { id: 1, name: "kept" });
      return (await tx.fetchAll("SELECT id FROM items")).length;
    });
    expect(value).toBe(1);
    await expect(
      connector.transaction(async (tx) => {
        await tx.executeMany("INSERT INTO items (id, name) VALUES (:id, :name)", [{ id: 2, name: "gone" }]);
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    expect(ids(await connector.fetchAll(ALL))).toEqual([1]);
  });

  it("tx.fetchMany pages by fetchSize like the connector (size 0 too)", async () => {
    const connector = await seeded(5, { fetchSize: 2 });
    await connector.transaction(async (tx) => {
      expect(ids(await tx.fetchMany(ALL))).toEqual([1, 2]);
      expect(ids(await tx.fetchMany(ALL, {}, 0))).toEqual([3, 4]);
      expect(ids(await tx.fetchMany(ALL, {}, 5))).toEqual([5]);
      await expect(tx.fetchMany(ALL, {}, -1)).rejects.toThrow(InvalidParametersError);
    });
  });

  it("tx.executeMany decodes a batch failure like the connector: the failing set's index", async () => {
    const connector = await seeded(0);
    const failure = await rejection(
      connector.transaction((tx) =>
        tx.executeMany("INSERT INTO items (id, name) VALUES (:id, :name)", [
          { id: 1, name: "a" },
          { id: 1, name: "duplicate" },
        ]),
      ),
    );
    expect(failure).toBeInstanceOf(UniqueViolationError);
    expect(failure).toBeInstanceOf(DatabaseError);
    expect(failure).toMatchObject({ name: "UniqueViolationError", code: "SQLBLOCKS_UNIQUE_VIOLATION", index: 0 });
    expect(failure.message).toMatch(/parameter set 0/);
    const outside = await rejection(
      connector.executeMany("INSERT INTO items (id, name) VALUES (:id, :name)", [
        { id: 1, name: "a" },
        { id: 1, name: "duplicate" },
      ]),
    );
    // Outside a transaction the rolled-back replay finds the exact set.
    expect(outside).toBeInstanceOf(UniqueViolationError);
    expect(outside).toMatchObject({ name: "UniqueViolationError", code: "SQLBLOCKS_UNIQUE_VIOLATION", index: 1 });
  });

  it("refuses an isolation level the driver does not list, naming those it does", async () => {
    const connector = await seeded(0);
    await expect(connector.transaction(async () => 1, { isolationLevel: "REPEATABLE READ" })).rejects.toThrow(
      new InvalidParametersError(
        'isolationLevel "REPEATABLE READ" is not supported by @sqlblocks/test-plugin; use one of READ UNCOMMITTED, SERIALIZABLE',
      ),
    );
    expect(await connector.transaction(async () => 2, { isolationLevel: "SERIALIZABLE" })).toBe(2);
  });
});

describe("ping", () => {
  it("runs the driver's pingSql and returns the latency in milliseconds", async () => {
    const connector = connect();
    const latency = await connector.ping();
    expect(latency).toBeGreaterThanOrEqual(0);
    expect(latency).toBeLessThan(60_000);
    expect(calls.sql.at(-1)).toBe("SELECT 1");
  });
});

describe("statement events (diagnostics_channel)", () => {
  let events: StatementEvent[];
  const listener = (message: unknown): void => {
    events.push(message as StatementEvent);
  };
  beforeEach(() => {
    events = [];
    statementChannel.subscribe(listener);
  });
  afterEach(() => {
    statementChannel.unsubscribe(listener);
  });

  it("carry the SQL text, row count and duration, never parameter values", async () => {
    const connector = await seeded(3);
    events = [];
    await connector.execute("SELECT id FROM items WHERE name <> :name", { name: PARAM_VALUE });
    await connector.executeMany("UPDATE items SET name = :name WHERE id = :id", [
      { id: 1, name: PARAM_VALUE },
      { id: 2, name: PARAM_VALUE },
    ]);
    await connector.fetchMany(ALL, {}, 2);
    await expect(connector.execute("SELECT nope FROM items WHERE name = :name", { name: PARAM_VALUE })).rejects.toThrow();

    expect(events.map((e) => [e.operation, e.sql, e.rowCount, e.errorCode])).toEqual([
      ["execute", "SELECT id FROM items WHERE name <> :name", 3, undefined],
      ["executeMany", "UPDATE items SET name = :name WHERE id = :id", 2, undefined],
      ["fetchMany", ALL, 2, undefined],
      ["execute", "SELECT nope FROM items WHERE name = :name", 0, "SQLBLOCKS_DATABASE"],
    ]);
    for (const event of events) {
      expect(typeof event.durationMs).toBe("number");
      expect(event.durationMs).toBeGreaterThanOrEqual(0);
      expect(event.blockName).toBeUndefined();
    }
    expect(JSON.stringify(events)).not.toContain(PARAM_VALUE);
  });

  it("name the block a connector was loaded from", async () => {
    const { dir, remove } = tempDir();
    const { BlockStore } = await import("../src/store/block-store.js");
    const store = await BlockStore.open({ home: path.join(dir, "home"), env: {} });
    try {
      await connect().save("events-block", { store });
      const loaded = await SqlConnector.load("events-block", { store });
      connectors.push(loaded);
      await loaded.execute("SELECT 1");
      expect(events.at(-1)).toMatchObject({ operation: "execute", sql: "SELECT 1", rowCount: 1, blockName: "events-block" });
    } finally {
      await store.close();
      remove();
    }
  });
});

describe("lifecycle", () => {
  it("close() is safe twice and the connector stays usable (the pool is recreated)", async () => {
    const { dir, remove } = tempDir();
    try {
      const connector = connect({ connectionInfo: `sqlite+better-sqlite3:///${path.join(dir, "data.db")}` });
      await connector.execute("CREATE TABLE t (a INTEGER)");
      await connector.execute("INSERT INTO t (a) VALUES (1)");
      await connector.fetchOne("SELECT a FROM t");
      const dataSource = await connector.getDataSource();
      await connector.close();
      expect(dataSource.isInitialized).toBe(false);
      await connector.close();
      expect(connector.openCursorCount).toBe(0);
      expect((await connector.execute("SELECT a FROM t")).rows).toEqual([{ a: 1 }]);
      expect(calls.createDataSourceOptions).toBe(2);
      expect(await connector.getDataSource()).not.toBe(dataSource);
      await connector.close();
    } finally {
      remove();
    }
  });

  it("close() before any use does nothing; Symbol.asyncDispose closes", async () => {
    const unused = connect();
    await unused.close();
    expect(calls.createDataSourceOptions).toBe(0);
    let dataSource: Awaited<ReturnType<SqlConnector["getDataSource"]>>;
    {
      await using connector = new SqlConnector({ connectionInfo: MEMORY_URL });
      dataSource = await connector.getDataSource();
      expect(dataSource.isInitialized).toBe(true);
    }
    expect(dataSource.isInitialized).toBe(false);
  });

  it("getClient gives the DataSource or a connection the caller releases", async () => {
    const connector = connect();
    expect(await connector.getClient("datasource")).toBe(await connector.getDataSource());
    const client = await connector.getClient("connection");
    expect(client.isReleased).toBe(false);
    expect(typeof (client.native as { prepare?: unknown }).prepare).toBe("function");
    expect((await client.query("SELECT 41 + 1 AS n")).rows).toEqual([{ n: 42 }]);
    await client.release();
    expect(client.isReleased).toBe(true);
    // Released once: a second release is a no-op.
    await client.release();
  });

  it("close() ends a connection still held from getClient instead of waiting forever", async () => {
    const connector = connect();
    const client = await connector.getClient("connection");
    await connector.close();
    expect(client.isReleased).toBe(true);
  });
});
