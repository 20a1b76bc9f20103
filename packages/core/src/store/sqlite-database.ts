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

/**
 * The embedded store: one SQLite file in WAL mode with a busy timeout, so several processes
 * can read and write it at once. Works over `node:sqlite` or `better-sqlite3` (same file
 * format). Within a process, transactions are queued because SQLite has one connection.
 */
export class SqliteStoreDatabase implements StoreDatabase {
  readonly location: string;
  readonly dialect = "sqlite" as const;
  readonly engine: StoreEngine;
  readonly #db: SqliteConnection;
  readonly #statements = new Map<string, SqliteStatement>();
  #queue: Promise<unknown> = Promise.resolve();
  /** Transactions queued or open: while there are any, other statements queue behind them. */
  #transactions = 0;
  #inTransaction = false;
  #open = true;

  constructor(file: string, engine: Exclude<StoreEngine, "postgres">, open: SqliteOpener) {
    this.location = file;
    this.engine = engine;
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      this.#db = open(file);
      this.#db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
      this.#db.exec("PRAGMA journal_mode = WAL");
      this.#db.exec("PRAGMA synchronous = NORMAL");
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
    this.#transactions++;
    const next = this.#queue.then(async () => {
      this.#guard("BEGIN IMMEDIATE", () => this.#db.exec("BEGIN IMMEDIATE"));
      this.#inTransaction = true;
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
        this.#guard("COMMIT", () => this.#db.exec("COMMIT"));
        this.#inTransaction = false;
        return result;
      } catch (error) {
        if (this.#inTransaction) {
          try {
            this.#db.exec("ROLLBACK");
          } catch {
            // SQLite may already have rolled back (e.g. after SQLITE_FULL): nothing to undo.
          }
          this.#inTransaction = false;
        }
        throw error;
      } finally {
        this.#transactions--;
      }
    });
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.#queue;
    if (!this.#open) return;
    this.#open = false;
    this.#statements.clear();
    this.#db.close();
  }

  /**
   * A statement outside any transaction. While a transaction is queued or open on this
   * (single) connection, it waits its turn: otherwise it would silently join that
   * transaction and share its fate.
   */
  #outside<T>(action: () => T): Promise<T> {
    if (this.#transactions === 0) {
      try {
        return Promise.resolve(action());
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const next = this.#queue.then(action);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  #prepare(sql: string): SqliteStatement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      if (!this.#open) throw new StoreError(`the block store ${this.location} is closed`);
      statement = this.#db.prepare(sql);
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) this.#statements.clear();
      this.#statements.set(sql, statement);
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
