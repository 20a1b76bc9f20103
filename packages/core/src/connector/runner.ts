import type { DriverConnection, DriverPlugin, Row } from "../driver/contract.js";
import type { SqlBlocksError } from "../errors.js";
import { executeBatch } from "./batch.js";
import { publishStatement } from "./events.js";
import type { Redactor } from "./redact.js";
import { type Compiled, compileFor } from "./statement-text.js";
import type { ExecuteResult, Params } from "./types.js";
import { wrapDatabaseError } from "./wrap-error.js";

/**
 * Where a runner's statements get their connection: the pool lends one per call, a
 * transaction hands out its own every time.
 */
export interface ConnectionSource {
  /** Runs `fn` on a connection for one statement (autocommit outside a transaction). */
  run<T>(fn: (connection: DriverConnection) => Promise<T>): Promise<T>;
  /** Runs `fn` all or nothing: in a transaction of its own, or in the one already open. */
  atomic<T>(fn: (connection: DriverConnection) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` in a transaction that is always rolled back (to find which row of a failed
   * batch is at fault). Absent inside a transaction, whose failed statement ended it.
   */
  rehearse?(fn: (connection: DriverConnection) => Promise<void>): Promise<void>;
}

/** How one statement ended, reported by {@link StatementRunner.observe}'s caller. */
export interface Observation {
  /** The statement succeeded with `rowCount` rows. */
  succeed(rowCount: number): void;
  /** The statement failed: returns the wrapped, redacted error to throw. */
  fail(error: unknown): SqlBlocksError;
}

/**
 * Runs statements: compiles `:name` placeholders, binds values, observes every statement
 * (one statement event — SQL, duration, rows; never values) and wraps what fails into a
 * redacted {@link DatabaseError}. The connector and its transactions use the same runner
 * over different {@link ConnectionSource}s, so the two APIs cannot drift apart.
 */
export class StatementRunner {
  constructor(
    readonly plugin: DriverPlugin,
    readonly redactor: Redactor,
    readonly blockName: string | undefined,
    readonly source: ConnectionSource,
  ) {}

  /** The same runner over another source (a transaction's connection). */
  over(source: ConnectionSource): StatementRunner {
    return new StatementRunner(this.plugin, this.redactor, this.blockName, source);
  }

  /** SQL and values for the driver. */
  compile(sql: string, params: Params | undefined): Compiled {
    return compileFor(this.plugin, sql, params);
  }

  /** Wraps what a driver threw, with the SQL (never values) and secrets redacted. */
  wrap(error: unknown, sql: string, index?: number): SqlBlocksError {
    return wrapDatabaseError(error, this.plugin, this.redactor, sql, index);
  }

  /**
   * The one place every statement passes through: starts its observation, which the
   * caller ends with `succeed` or `fail`.
   */
  begin(operation: string, sql: string): Observation {
    const started = performance.now();
    const blockName = this.blockName;
    return {
      succeed: (rowCount) => {
        publishStatement({ operation, sql, blockName, durationMs: performance.now() - started, rowCount });
      },
      fail: (error) => {
        const wrapped = this.wrap(error, sql);
        publishStatement({ operation, sql, blockName, durationMs: performance.now() - started, rowCount: 0, errorCode: wrapped.code });
        return wrapped;
      },
    };
  }

  /** Runs one observed call. */
  async observe<T extends { rowCount: number }>(operation: string, sql: string, run: () => Promise<T>): Promise<T> {
    const observation = this.begin(operation, sql);
    try {
      const result = await run();
      observation.succeed(result.rowCount);
      return result;
    } catch (error) {
      throw observation.fail(error);
    }
  }

  /** One statement on a connection of the source. */
  execute<T extends Row = Row>(sql: string, params?: Params, operation = "execute"): Promise<ExecuteResult<T>> {
    const compiled = this.compile(sql, params);
    return this.observe(operation, sql, () =>
      this.source.run((connection) => connection.query(compiled.sql, compiled.values)) as Promise<ExecuteResult<T>>,
    );
  }

  /** One statement per parameter set, all or nothing. */
  executeMany(sql: string, paramsList: readonly Params[]): Promise<ExecuteResult> {
    return executeBatch(this, sql, paramsList);
  }
}
