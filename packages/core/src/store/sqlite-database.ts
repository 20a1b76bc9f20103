import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { StoreError } from "../errors.js";
import type { StoreDatabase } from "./database.js";

/** How long a writer waits for another process's lock before giving up. */
const BUSY_TIMEOUT_MS = 15_000;

type SqliteValue = string | number | bigint | Buffer | null;

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
 * can read and write it at once. Within a process, transactions are queued because SQLite
 * has one connection.
 */
export class SqliteStoreDatabase implements StoreDatabase {
  readonly location: string;
  readonly #db: Database.Database;
  #queue: Promise<unknown> = Promise.resolve();
  /** Transactions queued or open: while there are any, other statements queue behind them. */
  #transactions = 0;

  constructor(file: string) {
    this.location = file;
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      this.#db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
      this.#db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      this.#db.pragma("journal_mode = WAL");
      this.#db.pragma("synchronous = NORMAL");
    } catch (error) {
      throw new StoreError(`cannot open the block store at ${file}: ${(error as Error).message}`, { cause: error });
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
      // Nested calls on the transaction handle join it instead of queueing behind it.
      const tx: StoreDatabase = {
        location: this.location,
        run: async (sql, params = []) => this.#run(sql, params),
        all: async <R>(sql: string, params: readonly unknown[] = []) => this.#all<R>(sql, params),
        get: async <R>(sql: string, params: readonly unknown[] = []) => this.#get<R>(sql, params),
        transaction: (inner) => inner(tx),
        close: async () => {},
      };
      try {
        const result = await fn(tx);
        this.#guard("COMMIT", () => this.#db.exec("COMMIT"));
        return result;
      } catch (error) {
        if (this.#db.inTransaction) this.#db.exec("ROLLBACK");
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
    if (this.#db.open) this.#db.close();
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

  #run(sql: string, params: readonly unknown[]): { changes: number } {
    return this.#guard(sql, () => ({ changes: this.#db.prepare(sql).run(...toSqlite(params)).changes }));
  }

  #all<T>(sql: string, params: readonly unknown[]): T[] {
    return this.#guard(sql, () => this.#db.prepare(sql).all(...toSqlite(params)) as T[]);
  }

  #get<T>(sql: string, params: readonly unknown[]): T | undefined {
    return this.#guard(sql, () => this.#db.prepare(sql).get(...toSqlite(params)) as T | undefined);
  }

  #guard<T>(sql: string, action: () => T): T {
    try {
      return action();
    } catch (error) {
      const code = (error as { code?: string }).code ?? "";
      throw new StoreError(`block store ${this.location} failed (${code || "error"}) on: ${sql.split("\n")[0]}`, {
        cause: error,
      });
    }
  }
}
