import type { DataSourceOptions, QueryRunner } from "typeorm";
import type { PlaceholderStyle } from "../params/index.js";
import type { DatabaseErrorKind } from "../errors/database.js";
import type { Secret } from "../secret/secret.js";
import type { ConnectionComponents } from "../url/components.js";
import type { Driver } from "./drivers.js";

/**
 * The version of the plug-in contract this copy of core speaks. A driver built for
 * another version is refused with a clear error instead of failing in odd ways later.
 */
export const DRIVER_CONTRACT_VERSION = 1 as const;

/** A result row: a plain object keyed by column name. */
export type Row = Record<string, unknown>;

/** What one statement returned. */
export interface StatementResult {
  /** Rows returned by SELECT, RETURNING or OUTPUT; empty otherwise. */
  rows: Row[];
  /** Rows affected (DML) or returned (queries). */
  rowCount: number;
}

/** TLS settings, mapped by each driver to its native options. */
export interface SslOptions {
  ca?: string | undefined;
  cert?: string | undefined;
  key?: Secret | undefined;
  rejectUnauthorized?: boolean | undefined;
}

/** Pool settings, mapped by each driver to its native pool. */
export interface PoolOptions {
  max?: number | undefined;
  min?: number | undefined;
  idleTimeoutMs?: number | undefined;
  acquireTimeoutMs?: number | undefined;
}

/** Everything a driver needs to build its TypeORM DataSource options. */
export interface ConnectionSettings {
  components: ConnectionComponents;
  ssl?: boolean | SslOptions | undefined;
  pool?: PoolOptions | undefined;
  connectTimeoutMs?: number | undefined;
  /** Free-form native options, merged last. */
  connectArgs?: Record<string, unknown> | undefined;
}

/**
 * A server-side cursor opened by a driver on one connection.
 *
 * `read(n)` returns at most `n` rows; fewer than `n` means the result is exhausted.
 * `close()` is called exactly once, whether or not the result was exhausted.
 */
export interface DriverCursor {
  read(count: number): Promise<Row[]>;
  close(): Promise<void>;
}

/** What a driver says about an error: its own code and whether a retry may succeed. */
export interface ErrorClassification {
  /** SQLSTATE, errno, ORA-nnnnn … */
  driverCode?: string | undefined;
  /** Connection lost, serialization failure, deadlock, lock timeout … */
  transient: boolean;
  /** The portable kind, which picks the {@link DatabaseError} subclass core throws; absent: a plain DatabaseError. */
  kind?: DatabaseErrorKind | undefined;
}

/**
 * Thrown by {@link DriverPlugin.executeRepeated} when one parameter set fails, so core can
 * name the failing index.
 */
export class BatchItemError extends Error {
  constructor(
    readonly index: number,
    override readonly cause: unknown,
  ) {
    super(`parameter set ${index} failed`);
  }
}

/**
 * The plug-in contract every `@sqlblocks/driver-*` package implements.
 *
 * A driver is small: how to build the TypeORM options (handing TypeORM the native module
 * through its `driver` option), how to run a statement and open a cursor on a connection,
 * and how to classify errors. Core does everything that is the same for all databases:
 * parameters, batching, transactions, cursors' lifetimes, error wrapping and redaction.
 *
 * Every method that takes a `session` receives a connected TypeORM {@link QueryRunner};
 * a driver reaches its native connection through it.
 */
export interface DriverPlugin {
  readonly contractVersion: typeof DRIVER_CONTRACT_VERSION;
  /** The npm name of the package, e.g. `@sqlblocks/driver-postgres`. */
  readonly packageName: string;
  /** The drivers this plug-in serves. */
  readonly drivers: readonly Driver[];
  /** How the named-parameter compiler writes placeholders for this database. */
  readonly placeholderStyle: PlaceholderStyle;
  /** Whether `\` escapes a character inside '…' and "…" strings (MySQL). */
  readonly backslashEscapes?: boolean;
  /** Whether `#` starts a line comment (MySQL). */
  readonly hashComments?: boolean;
  /** The most bind parameters one statement may carry (limits multi-row INSERT batches). */
  readonly maxBindParameters: number;
  /**
   * Whether the database accepts `INSERT … VALUES (…), (…)` (default true). When false,
   * core sends a plain INSERT through {@link DriverPlugin.executeRepeated} instead (Oracle).
   */
  readonly multiRowInsert?: boolean;
  /** The most rows one multi-row INSERT may carry, if the database limits it. */
  readonly maxRowsPerInsert?: number;
  /**
   * True when the database has a single connection (SQLite): core then runs one
   * transaction at a time instead of relying on a pool.
   */
  readonly singleConnection?: boolean;
  /** A trivial statement to check a connection (`SELECT 1`, `SELECT 1 FROM DUAL`). */
  readonly pingSql: string;

  /** Builds the TypeORM DataSource options; must pass the native module as `driver`. */
  createDataSourceOptions(settings: ConnectionSettings): DataSourceOptions;
  /** Runs one statement with positional values on the session's connection. */
  query(session: QueryRunner, sql: string, values: readonly unknown[]): Promise<StatementResult>;
  /** Opens a server-side cursor for one query on the session's connection. */
  openCursor(session: QueryRunner, sql: string, values: readonly unknown[]): Promise<DriverCursor>;
  /**
   * Runs one statement once per parameter set, reusing one prepared statement, inside the
   * transaction core has already started. Returns the total affected row count.
   * Throws {@link BatchItemError} naming the failing index. Optional: core falls back to
   * {@link DriverPlugin.query} per set.
   */
  executeRepeated?(session: QueryRunner, sql: string, valuesList: readonly (readonly unknown[])[]): Promise<number>;
  /**
   * Releases a session whose connection failed, so the pool drops the connection instead of
   * handing it to the next caller. Optional: core calls `session.release(error)` otherwise.
   */
  releaseBroken?(session: QueryRunner, error: Error): Promise<void>;
  /** Tells core the driver's code for an error and whether it is transient. */
  classifyError(error: unknown): ErrorClassification;
}

/** True when the value looks like a driver plug-in (any contract version). */
export function isDriverPlugin(value: unknown): value is DriverPlugin {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Partial<DriverPlugin>;
  return (
    typeof candidate.contractVersion === "number" &&
    Array.isArray(candidate.drivers) &&
    typeof candidate.createDataSourceOptions === "function" &&
    typeof candidate.query === "function" &&
    typeof candidate.openCursor === "function" &&
    typeof candidate.classifyError === "function"
  );
}
