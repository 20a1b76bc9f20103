import type { IsolationLevel, Row } from "../driver/contract.js";

/**
 * Named parameters for `:name` placeholders — any object, typed interfaces included
 * (`executeMany(sql, customers)`) — or an array of positional values for the driver's own
 * placeholders (`$1`, `?`). What is not a plain object or array is rejected at run time.
 */
export type Params = object;

/** What `execute` returns. */
export interface ExecuteResult<T extends Row = Row> {
  /** Rows affected (DML) or returned (queries). */
  rowCount: number;
  /** Rows from RETURNING / OUTPUT / SELECT; empty otherwise. */
  rows: T[];
}

/** Options of `SqlConnector.stream`. */
export interface StreamOptions {
  /** Rows per chunk (default 1,000). */
  chunkSize?: number;
}

/** Options of `SqlConnector.transaction`. */
export interface TransactionOptions {
  /** One of the levels the driver lists in `isolationLevels`; the database's default otherwise. */
  isolationLevel?: IsolationLevel;
}

/** The statements a transaction callback can run, all on the transaction's connection. */
export interface TransactionScope {
  execute<T extends Row = Row>(sql: string, params?: Params): Promise<ExecuteResult<T>>;
  executeMany(sql: string, paramsList: readonly Params[]): Promise<ExecuteResult>;
  fetchOne<T extends Row = Row>(sql: string, params?: Params): Promise<T | undefined>;
  /** The next `size` rows; `size` 0 or absent means the connector's `fetchSize` (as Python's `size or fetch_size`). */
  fetchMany<T extends Row = Row>(sql: string, params?: Params, size?: number): Promise<T[]>;
  fetchAll<T extends Row = Row>(sql: string, params?: Params): Promise<T[]>;
}
