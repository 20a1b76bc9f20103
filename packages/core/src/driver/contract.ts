import type { DataSource, DataSourceOptions } from "typeorm";
import type { PlaceholderStyle } from "../params/index.js";
import type { DatabaseErrorKind } from "../errors/database.js";
import type { Secret } from "../secret/secret.js";
import type { ConnectionComponents } from "../url/components.js";
import type { Driver } from "./drivers.js";

/**
 * The version of the plug-in contract this copy of core speaks. A driver built for
 * another version is refused with a clear error instead of failing in odd ways later.
 *
 * Version 2: drivers hand core a {@link DriverConnection} of their own making; TypeORM's
 * QueryRunner is no longer part of the contract.
 */
export const DRIVER_CONTRACT_VERSION = 2 as const;

/** A result row: a plain object keyed by column name. */
export type Row = Record<string, unknown>;

/** What one statement returned. */
export interface StatementResult {
  /** Rows returned by SELECT, RETURNING or OUTPUT; empty otherwise. */
  rows: Row[];
  /** Rows affected (DML) or returned (queries). */
  rowCount: number;
}

/** The SQL standard's isolation levels; each driver lists those its database accepts. */
export type IsolationLevel = "READ UNCOMMITTED" | "READ COMMITTED" | "REPEATABLE READ" | "SERIALIZABLE";

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
  /**
   * Set when the password comes from a credential provider: the driver calls it each time
   * its pool opens a new connection (and uses no stored password). Only drivers that say
   * `passwordProviders: true` are given one; core refuses the connector on any other.
   */
  passwordProvider?: (() => Promise<string>) | undefined;
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

/** What {@link DriverConnection.readFirstNow} and {@link DriverConnection.readFirst} return. */
export interface FirstPage {
  rows: Row[];
  /** The rest of the result; absent when `rows` holds all of it (fewer rows than asked for). */
  cursor?: DriverCursor | undefined;
}

/** Options of {@link DriverConnection.openCursor}. */
export interface CursorOptions {
  /**
   * Set when the statement only reads (its leading keyword is SELECT, WITH … SELECT,
   * VALUES, SHOW or TABLE): a driver may then hand back the last page before the server
   * has confirmed the end of the statement, and confirm it while the caller works on.
   */
  readOnly?: boolean;
}

/**
 * One connection a driver took from its pool for core. Core calls its methods one at a
 * time and calls {@link DriverConnection.release} exactly once.
 */
export interface DriverConnection {
  /** The native connection (pg `PoolClient`, mysql2 `PoolConnection`, better-sqlite3 `Database`, …). */
  readonly native: unknown;
  /** Runs one statement with positional values. */
  query(sql: string, values: readonly unknown[]): Promise<StatementResult>;
  /** Opens a server-side cursor for one query. */
  openCursor(sql: string, values: readonly unknown[], options?: CursorOptions): Promise<DriverCursor>;
  /**
   * For an in-process database (SQLite): opens a cursor and reads up to `count` rows at
   * once, without a promise, so a point lookup costs one synchronous driver call instead
   * of three awaited ones (open, read, close). Fewer than `count` rows means the result is
   * over: the driver has finished the statement and returns no cursor. Otherwise `cursor`
   * reads on after the rows returned and is closed by core like any cursor. Optional: core
   * falls back to {@link DriverConnection.openCursor} and `read(count)`.
   */
  readFirstNow?(sql: string, values: readonly unknown[], count: number, options?: CursorOptions): FirstPage;
  /**
   * Opens a cursor and reads up to `count` rows, the driver's own way: a driver may, for
   * instance, run a read-only statement it knows returns at most one row as one plain
   * query. Without a cursor in the answer, the rows are the whole result; with one, core
   * reads on from it (or closes it when fewer than `count` rows came back). Optional: core
   * falls back to {@link DriverConnection.openCursor} and `read(count)`.
   */
  readFirst?(sql: string, values: readonly unknown[], count: number, options?: CursorOptions): Promise<FirstPage>;
  /**
   * Runs one statement once per parameter set, reusing one prepared statement, inside the
   * transaction core has already begun. Returns the total affected row count.
   * Throws {@link BatchItemError} naming the failing index. Optional: core falls back to
   * {@link DriverConnection.query} per set.
   */
  executeRepeated?(sql: string, valuesList: readonly (readonly unknown[])[]): Promise<number>;
  /**
   * Inserts many rows into one table the database's fastest way (PostgreSQL: COPY), inside
   * the transaction core has already begun; each row holds one value per target column.
   * Core calls it only for a plain `INSERT INTO t (…) VALUES (:a, :b, …)` whose tuple is
   * parameters alone. Returns the number of rows inserted; a refused row is a
   * {@link BatchItemError} naming its index when the database says which. Optional.
   */
  bulkInsert?(target: BulkInsertTarget, rows: readonly (readonly unknown[])[]): Promise<number>;
  /** Begins a transaction; `isolationLevel` is one of {@link DialectFacts.isolationLevels}. */
  begin(isolationLevel?: IsolationLevel): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  /**
   * Gives the connection back. `broken` set: the connection failed (lost, or in an unknown
   * state) and must leave the pool instead of serving the next caller.
   */
  release(broken: boolean): Promise<void>;
}

/** Where {@link DriverConnection.bulkInsert} writes: SQL text as the statement wrote it (quoted names stay quoted). */
export interface BulkInsertTarget {
  /** The table, possibly schema-qualified. */
  readonly table: string;
  /** The column list, in value order; absent when the INSERT named none (every column, in table order). */
  readonly columns?: readonly string[] | undefined;
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
 * Thrown by {@link DriverConnection.executeRepeated} when one parameter set fails, so core
 * can name the failing index.
 */
export class BatchItemError extends Error {
  constructor(
    readonly index: number,
    override readonly cause: unknown,
  ) {
    super(`parameter set ${index} failed`);
  }
}

/** Part of a plug-in: facts about the database's SQL that core's compiler and planner use. */
export interface DialectFacts {
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
   * core sends a plain INSERT through {@link DriverConnection.executeRepeated} instead (Oracle).
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
  /** The isolation levels `transaction({ isolationLevel })` accepts on this database. */
  readonly isolationLevels: readonly IsolationLevel[];
}

/** Part of a plug-in: how connector settings become the TypeORM DataSource (the pool). */
export interface OptionMapping {
  /** Builds the TypeORM DataSource options; must pass the native module as `driver`. */
  createDataSourceOptions(settings: ConnectionSettings): DataSourceOptions;
  /**
   * True when the options honour {@link ConnectionSettings.passwordProvider} (asked for each
   * new connection). Absent or false: core refuses a connector whose password comes from a
   * provider, rather than let it connect without one.
   */
  readonly passwordProviders?: boolean;
}

/** Part of a plug-in: what an error means. */
export interface ErrorClassifier {
  /** Tells core the driver's code for an error and whether it is transient. */
  classifyError(error: unknown): ErrorClassification;
}

/** Part of a plug-in: connections out of the pool. */
export interface ConnectionFactory {
  /**
   * Takes one connection from the pool of an initialized DataSource created from
   * {@link OptionMapping.createDataSourceOptions}; the driver reads the native pool from
   * the public fields of TypeORM's driver (`dataSource.driver`).
   */
  connect(dataSource: DataSource): Promise<DriverConnection>;
  /**
   * Takes a connection without waiting, for a driver whose connection is always at hand
   * (SQLite's one connection): core then starts a statement without an await. Returns
   * `undefined` when it cannot (core then calls {@link ConnectionFactory.connect}). Optional.
   */
  connectNow?(dataSource: DataSource): DriverConnection | undefined;
}

/**
 * Optional part of a plug-in: the driver's native pool, opened from the DataSource options
 * without loading TypeORM, so that a process's first statement does not wait for TypeORM's
 * module graph and its `initialize()` queries.
 *
 * The DataSource stays the pool: core creates it when `getDataSource()` is first called, from
 * {@link NativePool.adoptingOptions}, under which TypeORM takes this very pool instead of
 * creating one; from then on destroying the DataSource ends the pool. A driver without this
 * part has its pool created by TypeORM before the first statement.
 */
export interface NativePoolFactory {
  /**
   * Opens the native pool that TypeORM would create from these options (the result of
   * {@link OptionMapping.createDataSourceOptions}), with the same settings. Connects nothing
   * yet. Optional.
   */
  openNativePool?(options: DataSourceOptions): NativePool;
}

/** A native pool opened by {@link NativePoolFactory.openNativePool}. */
export interface NativePool {
  /** Takes one connection from the pool, as {@link ConnectionFactory.connect} does from a DataSource's. */
  connect(): Promise<DriverConnection>;
  /** The DataSource options under which TypeORM adopts this pool instead of creating one. */
  adoptingOptions(): DataSourceOptions;
  /** Ends the pool; core calls it only when no DataSource adopted the pool. */
  end(): Promise<void>;
}

/**
 * The plug-in contract every `@sqlblocks/driver-*` package implements: dialect facts,
 * option mapping, connections and error classification, each its own part.
 *
 * A driver is small. Core does everything that is the same for all databases: parameters,
 * batching, transactions' boundaries, cursors' lifetimes, error wrapping and redaction.
 */
export interface DriverPlugin extends DialectFacts, OptionMapping, ConnectionFactory, NativePoolFactory, ErrorClassifier {
  readonly contractVersion: typeof DRIVER_CONTRACT_VERSION;
  /** The npm name of the package, e.g. `@sqlblocks/driver-postgres`. */
  readonly packageName: string;
  /** The drivers this plug-in serves. */
  readonly drivers: readonly Driver[];
}

/** True when the value looks like a driver plug-in (any contract version). */
export function isDriverPlugin(value: unknown): value is DriverPlugin {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Partial<DriverPlugin>;
  return (
    typeof candidate.contractVersion === "number" &&
    Array.isArray(candidate.drivers) &&
    typeof candidate.createDataSourceOptions === "function" &&
    typeof candidate.classifyError === "function"
  );
}
