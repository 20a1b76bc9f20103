/** Which SQL dialect a {@link StoreDatabase} speaks (for migrations that differ). */
export type StoreDialect = "sqlite" | "postgres";

/** The engines that can hold the store; see `SQLBLOCKS_STORE_ENGINE`. */
export type StoreEngine = "node:sqlite" | "better-sqlite3" | "postgres";

/**
 * The small SQL interface the block store is written against. The embedded SQLite store
 * (through `node:sqlite` or `better-sqlite3`) and the shared PostgreSQL store implement it;
 * other packages (flow history, …) keep their own tables through it.
 *
 * Statements use `?` placeholders and portable SQL (`INSERT … ON CONFLICT … DO UPDATE`
 * works on SQLite and PostgreSQL alike). Where DDL differs, branch on {@link dialect}.
 */
export interface StoreDatabase {
  /** Where the store lives, for messages. Never contains a password. */
  readonly location: string;
  /** The SQL dialect of the engine. */
  readonly dialect: StoreDialect;
  /** The engine in use. */
  readonly engine: StoreEngine;
  /** Runs a statement; returns how many rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<{ changes: number }>;
  /** Runs a query and returns every row. */
  all<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a query and returns its first row. */
  get<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  /**
   * Runs `fn` in one write transaction: everything or nothing, serialised against other
   * writers in this and other processes (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: a
   * transaction-scoped advisory lock). Calls on `tx` inside join the transaction.
   */
  transaction<T>(fn: (tx: StoreDatabase) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
