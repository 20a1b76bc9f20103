import type { Row } from "../driver/contract.js";
import type { Driver } from "../driver/drivers.js";
import { InvalidParametersError, isSqlBlocksError, SqlBlocksError } from "../errors.js";
import type { Params, SqlConnector, TransactionScope } from "../connector/sql-connector.js";
import { quoteIdentifier } from "./identifiers.js";

/** How a transfer commits on the target. */
export type TransferCommitMode =
  /** One target transaction around every batch: the target gets all rows or none. */
  | "all"
  /** Each batch commits on its own: a failure keeps the batches committed before it. */
  | "batch";

/** Progress reported after each committed (or, in "all" mode, written) batch. */
export interface TransferProgress {
  /** Rows written to the target so far. */
  rows: number;
  /** Batches written so far. */
  batches: number;
}

/** Options of {@link transfer}. */
export interface TransferOptions {
  /** Where the rows come from. */
  from: SqlConnector;
  /** The query that yields the rows (named parameters as everywhere). */
  query: string;
  /** Parameters of {@link TransferOptions.query}. */
  params?: Params;
  /** Where the rows go. */
  to: SqlConnector;
  /** The target table (`schema.table` allowed); quoted for the target's dialect. */
  table: string;
  /**
   * Target columns in the order of the insert. Default: the keys of the first row, as the
   * source named them. A source row without one of these keys inserts NULL there.
   */
  columns?: readonly string[];
  /** Rows read from the source and written to the target at a time (default 5,000). */
  batchSize?: number;
  /** "all" (default): one target transaction; "batch": a commit per batch. */
  commit?: TransferCommitMode;
  /** Called after each batch; an exception thrown here stops the transfer like a failure. */
  onProgress?: (progress: TransferProgress) => void;
}

/** What {@link transfer} moved. */
export interface TransferResult {
  /** Rows written to the target (committed, when the transfer succeeded). */
  rows: number;
  /** Batches written. */
  batches: number;
  /** The target columns used. */
  columns: string[];
}

/** A transfer failed; `committedRows` says what the target kept, by its commit mode. */
export class TransferError extends SqlBlocksError {
  constructor(
    message: string,
    /** Rows the target keeps after the failure: 0 in "all" mode. */
    readonly committedRows: number,
    /** Which side failed. */
    readonly side: "source" | "target",
    cause: unknown,
  ) {
    super("SQLBLOCKS_TRANSFER_FAILED", message, { cause });
    if (isSqlBlocksError(cause)) Object.defineProperty(this, "transient", { value: cause.transient });
  }
}

const DEFAULT_BATCH_SIZE = 5_000;

/**
 * Copies the rows of a query on one connector into a table on another, any pair of drivers.
 *
 * Rows are streamed through the source's server-side cursor and written with the target's
 * `executeMany` (its multi-row insert path), one batch at a time: the source is read no
 * faster than the target writes, so memory stays bounded by `batchSize` whatever the row count.
 *
 * @example
 * import { SqlConnector, transfer } from "@sqlblocks/core";
 *
 * await using pg = await SqlConnector.load("warehouse");
 * await using maria = await SqlConnector.load("reporting");
 * const { rows } = await transfer({
 *   from: pg, query: "SELECT id, name, total FROM orders WHERE day = :day", params: { day },
 *   to: maria, table: "orders_copy", commit: "batch", onProgress: (p) => console.log(p.rows),
 * });
 */
export async function transfer(options: TransferOptions): Promise<TransferResult> {
  const { from, to, query, params, onProgress } = options;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const commit = options.commit ?? "all";
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidParametersError(`batchSize must be a positive integer, got ${String(options.batchSize)}`);
  }
  if (commit !== "all" && commit !== "batch") {
    throw new InvalidParametersError(`commit must be "all" or "batch", got ${JSON.stringify(commit)}`);
  }
  if (typeof options.table !== "string" || options.table.trim() === "") {
    throw new InvalidParametersError("table must name the target table");
  }
  if (options.columns !== undefined && options.columns.length === 0) {
    throw new InvalidParametersError("columns, when given, must name at least one column");
  }
  const targetDriver = to.components.driver;
  quoteIdentifier(targetDriver, options.table);

  const progress: TransferProgress = { rows: 0, batches: 0 };
  let columns = options.columns ? [...options.columns] : undefined;
  let insertSql: string | undefined;
  let committedRows = 0;

  const writeBatch = async (scope: TransactionScope | SqlConnector, batch: Row[]): Promise<void> => {
    if (!columns) columns = Object.keys(batch[0] as Row);
    if (columns.length === 0) throw new InvalidParametersError("the source query returned rows without columns");
    insertSql ??= insertStatement(targetDriver, options.table, columns);
    const sets = batch.map((row) => toParams(row, columns as string[]));
    await scope.executeMany(insertSql, sets);
  };
  const afterBatch = (rows: number): void => {
    progress.rows += rows;
    progress.batches += 1;
    onProgress?.({ ...progress });
  };

  const pump = async (write: (batch: Row[]) => Promise<void>): Promise<void> => {
    const source = from.stream(query, params, { chunkSize: batchSize });
    while (true) {
      let next: IteratorResult<Row[]>;
      try {
        next = await source.next();
      } catch (error) {
        throw new SideError("source", error);
      }
      if (next.done) return;
      try {
        await write(next.value);
      } catch (error) {
        await source.return(undefined).catch(() => undefined);
        throw error instanceof SideError ? error : new SideError("target", error);
      }
    }
  };

  try {
    if (commit === "all") {
      await to.transaction(async (tx) => {
        await pump(async (batch) => {
          await writeBatch(tx, batch);
          afterBatch(batch.length);
        });
      });
      committedRows = progress.rows;
    } else {
      await pump(async (batch) => {
        await writeBatch(to, batch);
        committedRows += batch.length;
        afterBatch(batch.length);
      });
    }
  } catch (error) {
    const side = error instanceof SideError ? error.side : "target";
    const cause = error instanceof SideError ? error.cause : error;
    const kept = commit === "all" ? 0 : committedRows;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new TransferError(
      `transfer into ${options.table} failed on the ${side} after ${progress.rows} rows ` +
        `(${commit === "all" ? "rolled back: the target keeps none" : `the target keeps the ${kept} rows committed before`}): ${reason}`,
      kept,
      side,
      cause,
    );
  }
  return { rows: committedRows, batches: progress.batches, columns: columns ?? [] };
}

/** Marks which side of a transfer an error came from. */
class SideError extends Error {
  constructor(
    readonly side: "source" | "target",
    override readonly cause: unknown,
  ) {
    super(side);
  }
}

function insertStatement(driver: Driver, table: string, columns: readonly string[]): string {
  const names = columns.map((column) => quoteIdentifier(driver, column)).join(", ");
  const values = columns.map((_, index) => `:c${index}`).join(", ");
  return `INSERT INTO ${quoteIdentifier(driver, table)} (${names}) VALUES (${values})`;
}

function toParams(row: Row, columns: readonly string[]): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (let index = 0; index < columns.length; index++) {
    const value = row[columns[index] as string];
    params[`c${index}`] = value === undefined ? null : value;
  }
  return params;
}
