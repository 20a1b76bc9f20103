/**
 * The small SQL interface the block store is written against. The embedded SQLite store
 * implements it; a shared server store (PostgreSQL) can implement it too.
 *
 * Statements use `?` placeholders and portable SQL (`INSERT … ON CONFLICT … DO UPDATE`
 * works on SQLite and PostgreSQL alike).
 */
export interface StoreDatabase {
  /** Where the store lives, for messages. Never contains a password. */
  readonly location: string;
  /** Runs a statement; returns how many rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<{ changes: number }>;
  /** Runs a query and returns every row. */
  all<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a query and returns its first row. */
  get<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  /**
   * Runs `fn` in one write transaction: everything or nothing, serialised against other
   * writers in this and other processes.
   */
  transaction<T>(fn: (tx: StoreDatabase) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
