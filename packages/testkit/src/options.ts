import type { DatabaseErrorKind, Params, Row, SqlConnector, SqlConnectorOptions, TransactionOptions, TransactionScope } from "@sqlblocks/core";
import type { DriverPlugin } from "@sqlblocks/core/driver";

/** A transaction isolation level, as `transaction(fn, { isolationLevel })` takes it. */
export type IsolationLevel = NonNullable<TransactionOptions["isolationLevel"]>;

/** The names of the suite's modules; {@link ConformanceOptions.modules} picks some. */
export type ConformanceModule = "statements" | "paging" | "stream" | "transactions" | "values" | "errors" | "faults" | "blocks";

/** Every module, in the order they run. */
export const CONFORMANCE_MODULES: readonly ConformanceModule[] = [
  "statements",
  "paging",
  "stream",
  "transactions",
  "values",
  "errors",
  "faults",
  "blocks",
];

/** What a provocation gets: a connector on the server under test, a way to make more, and the suite's tables. */
export interface ProvocationContext {
  /** A connector on the server under test (shared; leave it usable). */
  connector: SqlConnector;
  /** Makes another connector on the same server (closed by the caller). */
  make(extra?: Partial<SqlConnectorOptions>): SqlConnector;
  /** The suite's table `(id INTEGER PRIMARY KEY, name VARCHAR(100), score INTEGER)`, seeded with ids 1..3. */
  table: string;
  /** The connection URL under test. */
  url: string;
}

/** Runs SQL that must fail with the error class of one kind; resolves with what it threw. */
export type Provocation = (context: ProvocationContext) => Promise<unknown>;

/** A provocation with the native code the driver must report for it (e.g. `"40P01"`). */
export interface ExpectedFailure {
  provoke: Provocation;
  driverCode?: string | RegExp;
}

/** One value round trip: `sql` with `params` must give exactly `expected` as its only row. */
export interface ValueCase {
  name: string;
  sql: string;
  params?: Params;
  expected: Row;
}

/** Faults: how the suite finds and kills the server-side connection behind a transaction. */
export interface FaultHooks {
  /** The server's id of the connection `scope` runs on (e.g. `SELECT pg_backend_pid()`). */
  connectionId(scope: TransactionScope): Promise<string | number>;
  /** Ends that connection from the server side (e.g. `pg_terminate_backend`, `KILL`), and waits until it is gone. */
  kill(connectionId: string | number): Promise<void>;
  /**
   * A statement that runs for 30 s or more (e.g. `SELECT pg_sleep(30)`): with it, the suite
   * also kills a connection while a statement is in flight on it.
   */
  sleepSql?: string;
  /**
   * A query whose result is larger than the socket buffers can hold (a million rows is safe),
   * one column `n` counting up from its first row: with it, a cursor or stream whose
   * connection is killed must fail, since the driver cannot have received the whole result.
   */
  largeResultSql?: string;
}

/** What {@link runConformanceSuite} needs to know about a driver and its server. */
export interface ConformanceOptions {
  /** Shown in test titles, e.g. "postgres". */
  name: string;
  /** The connection URL; `undefined` skips the suite visibly. */
  url: string | undefined;
  /** The plug-in under test; registered explicitly. */
  plugin: DriverPlugin;
  /** Name of the environment variable that supplies the URL (for the skip message). */
  urlVariable?: string;
  /** Fail instead of skipping when the server is unreachable (default: in CI). */
  required?: boolean;
  /** Extra connector options (pool, ssl, …). */
  connectorOptions?: Partial<SqlConnectorOptions>;
  /** SQL that drops a table if it exists (default `DROP TABLE IF EXISTS <name>`). */
  dropTableSql?: (table: string) => string;
  /** Run only these modules (default: all of {@link CONFORMANCE_MODULES}). */
  modules?: readonly ConformanceModule[];
  /**
   * Isolation levels the database supports (default all four). Each is run; a level not
   * listed must be refused with an error, never silently ignored.
   */
  isolationLevels?: readonly IsolationLevel[];
  /**
   * SQL run inside a transaction that reports its isolation level as the first column of
   * one row, and the value it must give for a level (default: the level in lower case, `-`
   * and `_` read as spaces, compared case-insensitively).
   */
  isolationCheck?: {
    sql: string;
    expected?: (level: IsolationLevel) => string;
    /** A statement run first in the same transaction (e.g. to let a cached server view refresh). */
    before?: string;
  };
  /** Value round trips with this driver's expected JavaScript values (the portable ones always run). */
  values?: readonly ValueCase[];
  /**
   * Provocations of the error classes beyond the portable ones (unique, not null, check,
   * foreign key, syntax), e.g. deadlock or lock timeout; `false` marks a class the database
   * cannot raise (the test is skipped visibly).
   */
  errors?: Partial<Record<DatabaseErrorKind, Provocation | ExpectedFailure | false>>;
  /** Connection kills for the fault tests; absent, they are skipped visibly. */
  faults?: FaultHooks;
}
