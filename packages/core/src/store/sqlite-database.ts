import fs from "node:fs";
import path from "node:path";
import { StoreError } from "../errors.js";
import type { StoreDatabase, StoreEngine } from "./database.js";
import type { SqliteConnection, SqliteOpener, SqliteStatement } from "./sqlite-engines.js";

/** How long a writer waits for another process's lock before giving up. */
const BUSY_TIMEOUT_MS = 15_000;
/** Prepared statements kept per connection (the store uses a few dozen distinct ones). */
const STATEMENT_CACHE_SIZE = 200;

type SqliteValue = string | number | bigint | Uint8Array | null;

function toSqlite(params: readonly unknown[]): SqliteValue[] {
  return params.map((value) => {
    if (value === undefined || value === null) return null;
    if (typeof value === "boolean") return value ? 1 : 0;
    if (value instanceof Date) return value.toISOString();
    return value as SqliteValue;
  });
}

/** One SQLite connection per file and engine in a process, shared by every store object on it. */
interface SharedConnection {
  readonly key: string;
  readonly db: SqliteConnection;
  readonly statements: Map<string, SqliteStatement>;
  queue: Promise<unknown>;
  /** Transactions queued or open: while there are any, other statements queue behind them. */
  transactions: number;
  inTransaction: boolean;
  refs: number;
}

const connections = new Map<string, SharedConnection>();

function connect(file: string, engine: string, open: SqliteOpener): SharedConnection {
  const key = `${engine} ${path.resolve(file)}`;
  const existing = connections.get(key);
  if (existing) {
    existing.refs++;
    return existing;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // A new store file is created 0600 before SQLite opens it; SQLite gives the -wal and -shm
  // files the same mode. (An existing file keeps the mode its owner chose.)
  if (file !== ":memory:") fs.closeSync(fs.openSync(file, "a", 0o600));
  const db = open(file);
  try {
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
  } catch (error) {
    db.close();
    throw error;
  }
  const shared: SharedConnection = {
    key,
    db,
    statements: new Map(),
    queue: Promise.resolve(),
    transactions: 0,
    inTransaction: false,
    refs: 1,
  };
  connections.set(key, shared);
  return shared;
}

/**
 * The embedded store: one SQLite file in WAL mode with a busy timeout, so several processes
 * can read and write it at once. Works over `node:sqlite` or `better-sqlite3` (same file
 * format). Within a process, every store object on the same file shares one connection
 * and its queue: two connections in one thread would deadlock on SQLite's write lock (the
 * second waits synchronously for a transaction the first can only finish asynchronously).
 */
export class SqliteStoreDatabase implements StoreDatabase {
  readonly location: string;
  readonly dialect = "sqlite" as const;
  readonly engine: StoreEngine;
  readonly #shared: SharedConnection;
  #open = true;

  constructor(file: string, engine: Exclude<StoreEngine, "postgres">, open: SqliteOpener) {
    this.location = file;
    this.engine = engine;
    try {
      this.#shared = connect(file, engine, open);
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw new StoreError(`cannot open the block store at ${file} (${engine}): ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  run(sql: string, params: readonly unknown[] = []): Promise<{ changes: number }> {
    return this.#outside(() => this.#run(sql, params));
  }

  all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.#outside(() => this.#all<T>(sql, params));
  }

  get<T>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    return this.#outside(() => this.#get<T>(sql, params));
  }

  transaction<T>(fn: (tx: StoreDatabase) => Promise<T>): Promise<T> {
    this.#shared.transactions++;
    const next = this.#shared.queue.then(async () => {
      this.#guard("BEGIN IMMEDIATE", () => this.#shared.db.exec("BEGIN IMMEDIATE"));
      this.#shared.inTransaction = true;
      // Nested calls on the transaction handle join it instead of queueing behind it.
      const tx: StoreDatabase = {
        location: this.location,
        dialect: this.dialect,
        engine: this.engine,
        run: async (sql, params = []) => this.#run(sql, params),
        all: async <R>(sql: string, params: readonly unknown[] = []) => this.#all<R>(sql, params),
        get: async <R>(sql: string, params: readonly unknown[] = []) => this.#get<R>(sql, params),
        transaction: (inner) => inner(tx),
        close: async () => {},
      };
      try {
        const result = await fn(tx);
        this.#guard("COMMIT", () => this.#shared.db.exec("COMMIT"));
        this.#shared.inTransaction = false;
        return result;
      } catch (error) {
        if (this.#shared.inTransaction) {
          try {
            this.#shared.db.exec("ROLLBACK");
          } catch {
            // SQLite may already have rolled back (e.g. after SQLITE_FULL): nothing to undo.
          }
          this.#shared.inTransaction = false;
        }
        throw error;
      } finally {
        this.#shared.transactions--;
      }
    });
    this.#shared.queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    const shared = this.#shared;
    await shared.queue;
    if (--shared.refs > 0) return;
    connections.delete(shared.key);
    shared.statements.clear();
    shared.db.close();
  }

  /**
   * A statement outside any transaction. While a transaction is queued or open on this
   * (single) connection, it waits its turn: otherwise it would silently join that
   * transaction and share its fate.
   */
  #outside<T>(action: () => T): Promise<T> {
    if (this.#shared.transactions === 0) {
      try {
        return Promise.resolve(action());
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const next = this.#shared.queue.then(action);
    this.#shared.queue = next.catch(() => undefined);
    return next;
  }

  #prepare(sql: string): SqliteStatement {
    if (!this.#open) throw new StoreError(`the block store ${this.location} is closed`);
    let statement = this.#shared.statements.get(sql);
    if (!statement) {
      statement = this.#shared.db.prepare(sql);
      if (this.#shared.statements.size >= STATEMENT_CACHE_SIZE) this.#shared.statements.clear();
      this.#shared.statements.set(sql, statement);
    }
    return statement;
  }

  #run(sql: string, params: readonly unknown[]): { changes: number } {
    return this.#guard(sql, () => ({ changes: Number(this.#prepare(sql).run(...toSqlite(params)).changes) }));
  }

  #all<T>(sql: string, params: readonly unknown[]): T[] {
    return this.#guard(sql, () => this.#prepare(sql).all(...toSqlite(params)) as T[]);
  }

  #get<T>(sql: string, params: readonly unknown[]): T | undefined {
    return this.#guard(sql, () => (this.#prepare(sql).get(...toSqlite(params)) ?? undefined) as T | undefined);
  }

  #guard<T>(sql: string, action: () => T): T {
    try {
      return action();
    } catch (error) {
      if (error instanceof StoreError) throw error;
      const err = error as { code?: string; errstr?: string };
      const code = err.code && err.code !== "ERR_SQLITE_ERROR" ? err.code : (err.errstr ?? err.code ?? "");
      throw new StoreError(
        `block store ${this.location} failed (${code || "error"}: ${(error as Error).message}) on: ${sql.split("\n")[0]}`,
        { cause: error },
      );
    }
  }
}
