import {
  BatchItemError,
  DRIVER_CONTRACT_VERSION,
  type DriverCursor,
  type DriverPlugin,
  Driver,
  type ErrorClassification,
  type Row,
  type StatementResult,
} from "@sqlblocks/core/driver";
import type Database from "better-sqlite3";
import type { QueryRunner } from "@sqlblocks/core/driver";
import { createDataSourceOptions } from "./options.js";

type Statement = Database.Statement<unknown[], Row>;

/** SQLite's limit on bind parameters per statement (SQLITE_MAX_VARIABLE_NUMBER, 3.32+). */
const MAX_BIND_PARAMETERS = 32766;
const STATEMENT_CACHE_SIZE = 200;

/** Result codes that mean "try again": another connection holds a lock. */
const TRANSIENT_CODES = /^SQLITE_(BUSY|LOCKED)/;

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

async function connectionOf(session: QueryRunner): Promise<Database.Database> {
  return (await session.connect()) as Database.Database;
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

  createDataSourceOptions,

  async query(session, sql, values) {
    return run(statementFor(await connectionOf(session), sql), values);
  },

  async openCursor(session, sql, values): Promise<DriverCursor> {
    const statement = statementFor(await connectionOf(session), sql);
    if (!statement.reader) {
      statement.run(...toSqlite(values));
      return { read: async () => [], close: async () => {} };
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
  },

  async executeRepeated(session, sql, valuesList) {
    const statement = statementFor(await connectionOf(session), sql);
    let total = 0;
    for (let index = 0; index < valuesList.length; index++) {
      try {
        total += statement.reader ? statement.all(...toSqlite(valuesList[index]!)).length : statement.run(...toSqlite(valuesList[index]!)).changes;
      } catch (error) {
        throw new BatchItemError(index, error);
      }
    }
    return total;
  },

  classifyError(error): ErrorClassification {
    const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
    const driverCode = typeof code === "string" ? code : undefined;
    return { driverCode, transient: driverCode !== undefined && TRANSIENT_CODES.test(driverCode) };
  },
};

export default sqlitePlugin;
