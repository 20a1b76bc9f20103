import {
  BatchItemError,
  DRIVER_CONTRACT_VERSION,
  type DriverConnection,
  type DriverCursor,
  type DriverPlugin,
  Driver,
  type ErrorClassification,
  type FirstPage,
  type Row,
  type StatementResult,
} from "@sqlblocks/core/driver";
import type Database from "better-sqlite3";
import type { DataSource } from "@sqlblocks/core/driver";
import { classifySqliteError } from "./errors.js";
import { createDataSourceOptions } from "./options.js";
import { prepared, returnsAtMostOneRow, type Statement, statementFor } from "./statements.js";

/** SQLite's limit on bind parameters per statement (SQLITE_MAX_VARIABLE_NUMBER, 3.32+). */
const MAX_BIND_PARAMETERS = 32766;

/** One connection object per database: it holds no state of its own, so it is shared. */
const connections = new WeakMap<Database.Database, DriverConnection>();

/** Whether better-sqlite3 can bind the value as it is (see {@link toSqlite}). */
function bindsAsIs(value: unknown): boolean {
  return value !== undefined && typeof value !== "boolean" && !(value instanceof Date);
}

/**
 * The values to bind: the same array when better-sqlite3 takes every value as it is (a
 * point lookup's number or string), converted by {@link toSqlite} otherwise.
 */
function bindable(values: readonly unknown[]): readonly unknown[] {
  for (let i = 0; i < values.length; i++) if (!bindsAsIs(values[i])) return toSqlite(values);
  return values;
}

/** better-sqlite3 binds neither booleans, Dates nor undefined; SQLite has no such types. */
function toSqlite(values: readonly unknown[]): unknown[] {
  const out = new Array<unknown>(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === undefined) out[i] = null;
    else if (typeof value === "boolean") out[i] = value ? 1 : 0;
    else if (value instanceof Date) out[i] = value.toISOString();
    else out[i] = value;
  }
  return out;
}

function run(statement: Statement, values: readonly unknown[]): StatementResult {
  const bound = bindable(values);
  if (statement.reader) {
    const rows = statement.all(...bound);
    return { rows, rowCount: rows.length };
  }
  return { rows: [], rowCount: statement.run(...bound).changes };
}

/** A cursor for a statement that returned no rows. */
const EMPTY_CURSOR: DriverCursor = { read: async () => [], close: async () => {} };

function openCursor(db: Database.Database, sql: string, values: readonly unknown[]): DriverCursor {
  const statement = statementFor(db, sql);
  if (!statement.reader) {
    statement.run(...bindable(values));
    return EMPTY_CURSOR;
  }
  return iteratorCursor(statement.iterate(...bindable(values)));
}

/**
 * Up to `count` rows of a new cursor, read at once. A statement judged to return at most
 * one row is read with `all()`; any other is iterated, and when its result ends within
 * `count` rows the iterator has finished (and reset its statement) by itself: either way
 * there is nothing to close.
 */
function readFirst(db: Database.Database, sql: string, values: readonly unknown[], count: number): FirstPage {
  const entry = prepared(db, sql);
  const statement = entry.statement.busy ? (db.prepare(sql) as Statement) : entry.statement;
  const bound = bindable(values);
  if (!statement.reader) {
    statement.run(...bound);
    return { rows: [] };
  }
  entry.singleRow ??= returnsAtMostOneRow(db, sql, bound);
  if (entry.singleRow) {
    // One value (a lookup by key) is passed as it is: no spread of an array.
    const rows = bound.length === 1 ? statement.all(bound[0]) : statement.all(...bound);
    if (rows.length < count) return { rows };
    // Judged wrong after all: the rows past the page come from memory, and the statement is iterated from now on.
    entry.singleRow = false;
    return { rows: rows.slice(0, count), cursor: arrayCursor(rows.slice(count)) };
  }
  const iterator = statement.iterate(...bound);
  const rows: Row[] = [];
  while (rows.length < count) {
    const next = iterator.next();
    if (next.done) return { rows };
    rows.push(next.value);
  }
  return { rows, cursor: iteratorCursor(iterator) };
}

/** A cursor over rows already read. */
function arrayCursor(rows: Row[]): DriverCursor {
  return {
    async read(count) {
      return rows.splice(0, count);
    },
    async close() {
      rows.length = 0;
    },
  };
}

/** A cursor over a statement's iterator, read on demand. */
function iteratorCursor(iterator: IterableIterator<Row>): DriverCursor {
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
      done = true;
      iterator.return?.();
    },
  };
}

/**
 * The one better-sqlite3 connection of a DataSource. Transactions are BEGIN/COMMIT on it;
 * core runs one at a time (`singleConnection`). Releasing it does nothing: it is the
 * DataSource's, closed when the DataSource is destroyed.
 */
export function sqliteConnection(db: Database.Database): DriverConnection {
  return {
    native: db,
    async query(sql, values) {
      return run(statementFor(db, sql), values);
    },
    async openCursor(sql, values) {
      return openCursor(db, sql, values);
    },
    readFirstNow(sql, values, count) {
      return readFirst(db, sql, values, count);
    },
    async executeRepeated(sql, valuesList) {
      const statement = statementFor(db, sql);
      let total = 0;
      for (let index = 0; index < valuesList.length; index++) {
        try {
          const bound = bindable(valuesList[index]!);
          total += statement.reader ? statement.all(...bound).length : statement.run(...bound).changes;
        } catch (error) {
          throw new BatchItemError(index, error);
        }
      }
      return total;
    },
    async begin(isolationLevel) {
      // SQLite is serializable; READ UNCOMMITTED only matters to shared-cache connections.
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
}

/** The DataSource's one connection. TypeORM's better-sqlite3 driver keeps it in the public `databaseConnection`. */
function connectionOf(dataSource: DataSource): DriverConnection {
  const db = (dataSource.driver as unknown as { databaseConnection: Database.Database }).databaseConnection;
  let connection = connections.get(db);
  if (!connection) {
    connection = sqliteConnection(db);
    connections.set(db, connection);
  }
  return connection;
}

/**
 * The SQLite driver: TypeORM + better-sqlite3.
 *
 * SQLite has one connection per database, so core runs one transaction at a time
 * (`singleConnection`). Cursors iterate a statement of their own on that connection.
 */
const sqlitePlugin: DriverPlugin = {
  contractVersion: DRIVER_CONTRACT_VERSION,
  packageName: "@sqlblocks/driver-sqlite",
  drivers: [Driver.SQLITE_BETTER_SQLITE3],
  placeholderStyle: "question",
  maxBindParameters: MAX_BIND_PARAMETERS,
  singleConnection: true,
  pingSql: "SELECT 1",
  isolationLevels: ["READ UNCOMMITTED", "SERIALIZABLE"],

  createDataSourceOptions,

  async connect(dataSource: DataSource) {
    return connectionOf(dataSource);
  },

  // The one connection is always at hand: statements start without an await.
  connectNow: connectionOf,

  classifyError(error): ErrorClassification {
    return classifySqliteError(error);
  },
};

export default sqlitePlugin;
