import type { DriverConnection, DriverPlugin, Row } from "../driver/contract.js";
import type { SqlBlocksError } from "../errors.js";
import type { StatementSpan, StatementTelemetry } from "../telemetry/statement.js";
import { executeBatch } from "./batch.js";
import { publishStatement, statementChannel } from "./events.js";
import type { Redactor } from "./redact.js";
import { bindParameters, type CompiledSql, compileSql } from "../params/index.js";
import { isReadOnlyStatement } from "./read-only.js";
import { assertSqlText, type Compiled, compileOptions, isPositional } from "./statement-text.js";
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
  /** A `stream` chunk of `rows` rows was delivered (an event on the statement's span). */
  chunk(rows: number): void;
}

/**
 * Runs statements: compiles `:name` placeholders, binds values, observes every statement
 * (one statement event — SQL, duration, rows; never values) and wraps what fails into a
 * redacted {@link DatabaseError}. The connector and its transactions use the same runner
 * over different {@link ConnectionSource}s, so the two APIs cannot drift apart.
 */
/** A statement ready for the driver. */
export interface BoundStatement extends Compiled {
  /** The statement only reads (see {@link isReadOnlyStatement}). */
  readonly readOnly: boolean;
}

/** What the runner remembers about one SQL text: compiled once, judged once. */
interface Prepared {
  compiled: CompiledSql;
  readOnly: boolean;
}

/** How many SQL texts a runner remembers (a program runs the same statements over and over). */
const PREPARED_CACHE_SIZE = 500;

export class StatementRunner {
  readonly #prepared: Map<string, Prepared>;
  /** The last observation begun while nobody listened (see {@link StatementRunner.begin}). */
  #quiet: StatementObservation | undefined;

  constructor(
    readonly plugin: DriverPlugin,
    readonly redactor: Redactor,
    readonly blockName: string | undefined,
    readonly source: ConnectionSource,
    /** OpenTelemetry spans and metrics of this connector's statements, if any. */
    readonly telemetry?: StatementTelemetry,
    prepared?: Map<string, Prepared>,
  ) {
    this.#prepared = prepared ?? new Map();
  }

  /** The same runner over another source (a transaction's connection). */
  over(source: ConnectionSource): StatementRunner {
    return new StatementRunner(this.plugin, this.redactor, this.blockName, source, this.telemetry, this.#prepared);
  }

  /** SQL and values for the driver, and whether the statement only reads (judged once per SQL text). */
  compile(sql: string, params: Params | undefined): BoundStatement {
    const prepared = this.#prepare(sql);
    if (isPositional(params)) return { sql, values: params, readOnly: prepared.readOnly };
    return { sql: prepared.compiled.sql, values: bindParameters(prepared.compiled, params as Readonly<Record<string, unknown>> | undefined), readOnly: prepared.readOnly };
  }

  #prepare(sql: string): Prepared {
    let prepared = this.#prepared.get(sql);
    if (prepared === undefined) {
      assertSqlText(sql);
      prepared = {
        compiled: compileSql(sql, this.plugin.placeholderStyle, compileOptions(this.plugin)),
        readOnly: isReadOnlyStatement(sql, this.plugin),
      };
      if (this.#prepared.size >= PREPARED_CACHE_SIZE) this.#prepared.clear();
      if (sql.length <= 100_000) this.#prepared.set(sql, prepared);
    }
    return prepared;
  }

  /** Wraps what a driver threw, with the SQL (never values) and secrets redacted. */
  wrap(error: unknown, sql: string, index?: number): SqlBlocksError {
    return wrapDatabaseError(error, this.plugin, this.redactor, sql, index);
  }

  /**
   * The one place every statement passes through: starts its observation, which the
   * caller ends with `succeed` or `fail`.
   */
  begin(operation: string, sql: string, batchSize?: number): Observation {
    const span = this.telemetry?.start(operation, sql, batchSize);
    if (span !== undefined || statementChannel.hasSubscribers) return new StatementObservation(this, operation, sql, span);
    // Nobody listens and no span: the observation holds nothing but its statement, so the last one is used again.
    const quiet = this.#quiet;
    if (quiet !== undefined && quiet.sql === sql && quiet.operation === operation) return quiet;
    this.#quiet = new StatementObservation(this, operation, sql, undefined);
    return this.#quiet;
  }

  /** Runs one observed call (`batchSize`: executeMany's parameter sets). */
  async observe<T extends { rowCount: number }>(operation: string, sql: string, run: () => Promise<T>, batchSize?: number): Promise<T> {
    const observation = this.begin(operation, sql, batchSize);
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

/**
 * One statement under observation: its statement event and its span, if telemetry started
 * one. The event goes to those listening when the statement started (no clock is read for
 * nobody).
 */
class StatementObservation implements Observation {
  readonly #started = statementChannel.hasSubscribers ? performance.now() : -1;

  constructor(
    readonly runner: StatementRunner,
    readonly operation: string,
    readonly sql: string,
    readonly span: StatementSpan | undefined,
  ) {}

  succeed(rowCount: number): void {
    if (this.#started >= 0 && statementChannel.hasSubscribers) this.#publish(rowCount, undefined);
    this.span?.succeeded(rowCount);
  }

  fail(error: unknown): SqlBlocksError {
    const wrapped = this.runner.wrap(error, this.sql);
    if (this.#started >= 0 && statementChannel.hasSubscribers) this.#publish(0, wrapped.code);
    this.span?.failed(wrapped);
    return wrapped;
  }

  chunk(rows: number): void {
    this.span?.chunk(rows);
  }

  #publish(rowCount: number, errorCode: string | undefined): void {
    const { operation, sql } = this;
    const durationMs = performance.now() - this.#started;
    const blockName = this.runner.blockName;
    publishStatement(errorCode === undefined ? { operation, sql, blockName, durationMs, rowCount } : { operation, sql, blockName, durationMs, rowCount, errorCode });
  }
}
