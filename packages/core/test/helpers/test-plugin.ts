/**
 * Test helpers: a small driver plug-in over better-sqlite3 (core cannot depend on a driver
 * package) that records what core asks of it, and temporary store folders.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import type { DataSource, DataSourceOptions } from "typeorm";
import {
  DRIVER_CONTRACT_VERSION,
  type DriverConnection,
  type DriverCursor,
  type DriverPlugin,
  type Row,
  type StatementResult,
} from "../../src/driver/contract.js";
import { Driver } from "../../src/driver/drivers.js";

/** What the recording plug-in counts. */
export interface PluginCalls {
  createDataSourceOptions: number;
  query: number;
  openCursor: number;
  /** `readFirstNow` calls (only with `inProcess`). */
  readFirstNow: number;
  cursorClose: number;
  /** Every SQL text the plug-in was asked to run, in order. */
  sql: string[];
  /** Every value list the plug-in was asked to bind, in order. */
  values: unknown[][];
}

/** Options of {@link createTestPlugin}. */
export interface TestPluginOptions {
  /** Called before every statement; a returned error is thrown instead of running it. */
  failWith?: (sql: string, values: readonly unknown[]) => unknown;
  /** Called when the DataSource opens its connection; a returned error makes connecting fail. */
  failConnectWith?: () => unknown;
  /** Serve other drivers too (default: SQLite only). */
  drivers?: readonly Driver[];
  /**
   * Act as an in-process driver: connections at hand (`connectNow`) and first pages read
   * at once (`readFirstNow`), as the SQLite driver does.
   */
  inProcess?: boolean;
}

type Statement = Database.Statement<unknown[], Row>;

/** The one better-sqlite3 connection TypeORM opened for the DataSource. */
function databaseOf(dataSource: DataSource): Database.Database {
  return (dataSource.driver as unknown as { databaseConnection: Database.Database }).databaseConnection;
}

/**
 * A driver plug-in for tests: TypeORM's better-sqlite3 driver with the native module handed
 * over through `driver`, every database (whatever the connection says) in memory unless the
 * components name a file. It counts every call in `calls`.
 */
export function createTestPlugin(options: TestPluginOptions = {}): { plugin: DriverPlugin; calls: PluginCalls } {
  const calls: PluginCalls = { createDataSourceOptions: 0, query: 0, openCursor: 0, readFirstNow: 0, cursorClose: 0, sql: [], values: [] };
  const check = (sql: string, values: readonly unknown[]): void => {
    calls.sql.push(sql);
    calls.values.push([...values]);
    const failure = options.failWith?.(sql, values);
    if (failure !== undefined) throw failure;
  };
  /** The connection object over the DataSource's one better-sqlite3 connection. */
  const connectionOf = (dataSource: DataSource): DriverConnection => {
      const db = databaseOf(dataSource);
      const connection: DriverConnection = {
        native: db,
        async query(sql, values): Promise<StatementResult> {
          calls.query++;
          check(sql, values);
          const statement = db.prepare(sql) as Statement;
          if (statement.reader) {
            const rows = statement.all(...values);
            return { rows, rowCount: rows.length };
          }
          return { rows: [], rowCount: statement.run(...values).changes };
        },
        async openCursor(sql, values): Promise<DriverCursor> {
          calls.openCursor++;
          check(sql, values);
          const statement = db.prepare(sql) as Statement;
          if (!statement.reader) {
            // A statement without rows: run now, nothing to read (as the SQLite driver does).
            statement.run(...values);
            return iteratorCursor([][Symbol.iterator]());
          }
          return iteratorCursor(statement.iterate(...values));
        },
        async begin(isolationLevel) {
          if (isolationLevel) db.pragma(`read_uncommitted = ${isolationLevel === "READ UNCOMMITTED"}`);
          db.exec("BEGIN");
        },
        async commit() {
          db.exec("COMMIT");
        },
        async rollback() {
          if (db.inTransaction) db.exec("ROLLBACK");
        },
        async release() {},
      };
      if (options.inProcess) {
        connection.readFirstNow = (sql, values, count) => {
          calls.readFirstNow++;
          check(sql, values);
          const statement = db.prepare(sql) as Statement;
          if (!statement.reader) {
            statement.run(...values);
            return { rows: [] };
          }
          const iterator = statement.iterate(...values);
          const rows: Row[] = [];
          while (rows.length < count) {
            const next = iterator.next();
            if (next.done) return { rows };
            rows.push(next.value);
          }
          return { rows, cursor: iteratorCursor(iterator) };
        };
      }
      return connection;
  };
  /** A cursor over a statement's iterator; its close is counted. */
  const iteratorCursor = (iterator: IterableIterator<Row>): DriverCursor => {
    let done = false;
    return {
      async read(count) {
        const rows: Row[] = [];
        while (!done && rows.length < count) {
          const next = iterator.next();
          if (next.done) done = true;
          else rows.push(next.value);
        }
        return rows;
      },
      async close() {
        calls.cursorClose++;
        done = true;
        iterator.return?.();
      },
    };
  };
  const plugin: DriverPlugin = {
    contractVersion: DRIVER_CONTRACT_VERSION,
    packageName: "@sqlblocks/test-plugin",
    drivers: options.drivers ?? [Driver.SQLITE_BETTER_SQLITE3],
    placeholderStyle: "question",
    maxBindParameters: 999,
    singleConnection: true,
    pingSql: "SELECT 1",
    isolationLevels: ["READ UNCOMMITTED", "SERIALIZABLE"],

    createDataSourceOptions(settings): DataSourceOptions {
      calls.createDataSourceOptions++;
      const database =
        settings.components.driver === Driver.SQLITE_BETTER_SQLITE3 && settings.components.database
          ? settings.components.database
          : ":memory:";
      return {
        type: "better-sqlite3",
        driver: Database,
        database,
        prepareDatabase: (db: Database.Database) => {
          const failure = options.failConnectWith?.();
          if (failure !== undefined) throw failure;
          // Paging cursors stay open while other statements run on the one connection.
          db.unsafeMode(true);
        },
      } as DataSourceOptions;
    },

    async connect(dataSource): Promise<DriverConnection> {
      return connectionOf(dataSource);
    },

    ...(options.inProcess ? { connectNow: (dataSource: DataSource) => connectionOf(dataSource) } : {}),

    classifyError(error) {
      const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
      const driverCode = typeof code === "string" ? code : undefined;
      const kind =
        driverCode === "SQLITE_BUSY" ? "lock_timeout" : driverCode === "SQLITE_CONSTRAINT_PRIMARYKEY" ? "unique_violation" : undefined;
      return { driverCode, transient: driverCode === "SQLITE_BUSY", kind } as const;
    },
  };
  return { plugin, calls };
}

/** A fresh temporary folder and a function that removes it. */
export function tempDir(prefix = "sqlblocks-core-test-"): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A base64 key of 32 random-looking but fixed bytes, for `SQLBLOCKS_ENCRYPTION_KEY`. */
export function fixedKey(byte: number): string {
  return Buffer.alloc(32, byte).toString("base64");
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the promise to reject");
}

/** The error a function throws (fails the test when it returns). */
export function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

/** Creates `items (id, name)` on a connector and fills it with `rows` rows, ids 1…rows. */
export async function seedItems<C extends { execute(sql: string): Promise<unknown>; executeMany(sql: string, items: Record<string, unknown>[]): Promise<unknown> }>(
  connector: C,
  rows: number,
): Promise<C> {
  await connector.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
  await connector.executeMany(
    "INSERT INTO items (id, name) VALUES (:id, :name)",
    Array.from({ length: rows }, (_, i) => ({ id: i + 1, name: `item ${i + 1}` })),
  );
  return connector;
}

/** The `id` of each row. */
export const ids = (rows: Record<string, unknown>[]): unknown[] => rows.map((row) => row.id);
