import {
  BatchItemError,
  DRIVER_CONTRACT_VERSION,
  type DriverConnection,
  type DriverCursor,
  type DriverPlugin,
  Driver,
  type ErrorClassification,
  type Row,
  type StatementResult,
} from "@sqlblocks/core/driver";
import type Database from "better-sqlite3";
import type { DataSource } from "@sqlblocks/core/driver";
import { classifySqliteError } from "./errors.js";
import { createDataSourceOptions } from "./options.js";

type Statement = Database.Statement<unknown[], Row>;

/** SQLite's limit on bind parameters per statement (SQLITE_MAX_VARIABLE_NUMBER, 3.32+). */
const MAX_BIND_PARAMETERS = 32766;
const STATEMENT_CACHE_SIZE = 200;

/** One connection object per database: it holds no state of its own, so it is shared. */
const connections = new WeakMap<Database.Database, DriverConnection>();
const statementCaches = new WeakMap<Database.Database, Map<string, Statement>>();

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

/** A cached prepared statement: the same SQL is prepared once per connection. */
function prepare(db: Database.Database, sql: string): Statement {
  let cache = statementCaches.get(db);
  if (!cache) {
    cache = new Map();
    statementCaches.set(db, cache);
  }
  let statement = cache.get(sql);
  if (statement) {
    // Refresh its place so the least recently used statement is evicted first.
    cache.delete(sql);
  } else {
    statement = db.prepare(sql) as Statement;
    if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  }
  cache.set(sql, statement);
  return statement;
}

/** The cached statement, unless an open cursor is iterating it: then a fresh one beside it. */
function statementFor(db: Database.Database, sql: string): Statement {
  const cached = prepare(db, sql);
  return cached.busy ? (db.prepare(sql) as Statement) : cached;
}

function run(statement: Statement, values: readonly unknown[]): StatementResult {
  const bound = toSqlite(values);
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
    statement.run(...toSqlite(values));
    return EMPTY_CURSOR;
  }
  const iterator = statement.iterate(...toSqlite(values));
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
    async executeRepeated(sql, valuesList) {
      const statement = statementFor(db, sql);
      let total = 0;
      for (let index = 0; index < valuesList.length; index++) {
        try {
          const bound = toSqlite(valuesList[index]!);
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
    // TypeORM's better-sqlite3 driver keeps its one connection in the public `databaseConnection`.
    const db = (dataSource.driver as unknown as { databaseConnection: Database.Database }).databaseConnection;
    let connection = connections.get(db);
    if (!connection) {
      connection = sqliteConnection(db);
      connections.set(db, connection);
    }
    return connection;
  },

  classifyError(error): ErrorClassification {
    return classifySqliteError(error);
  },
};

export default sqlitePlugin;
