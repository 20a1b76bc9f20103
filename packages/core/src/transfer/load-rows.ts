import type { Params, SqlConnector, TransactionScope } from "../connector/sql-connector.js";
import type { Row } from "../driver/contract.js";
import type { Driver } from "../driver/drivers.js";
import { InvalidParametersError, isSqlBlocksError, SqlBlocksError } from "../errors.js";
import { quoteIdentifier } from "./identifiers.js";

/** How a load commits on the target. */
export type TransferCommitMode =
  /** One target transaction around every batch: the target gets all rows or none. */
  | "all"
  /** Each batch commits on its own: a failure keeps the batches committed before it. */
  | "batch";

/** Progress reported after each batch is written. */
export interface TransferProgress {
  /** Rows written to the target so far. */
  rows: number;
  /** Batches written so far. */
  batches: number;
}

/** Options of {@link loadRows}. */
export interface LoadRowsOptions {
  /** The target table (`schema.table` allowed); quoted for the target's dialect. */
  table: string;
  /**
   * Target columns in insert order. Default: the keys of the first row. A row without one of
   * these keys inserts NULL there.
   */
  columns?: readonly string[];
  /** "all" (default): one target transaction; "batch": a commit per batch. */
  commit?: TransferCommitMode;
  /** Called after each batch; an exception thrown here stops the load like a failure. */
  onProgress?: (progress: TransferProgress) => void;
}

/** What a load or a transfer wrote. */
export interface TransferResult {
  /** Rows written to the target (committed, when it succeeded). */
  rows: number;
  /** Batches written. */
  batches: number;
  /** The target columns used. */
  columns: string[];
}

/** A load or transfer failed; `committedRows` says what the target kept, by its commit mode. */
export class TransferError extends SqlBlocksError {
  constructor(
    message: string,
    /** Rows the target keeps after the failure: always 0 in "all" mode. */
    readonly committedRows: number,
    /** Which side failed: the rows' source (a query, a file) or the target table. */
    readonly side: "source" | "target",
    cause: unknown,
  ) {
    super("SQLBLOCKS_TRANSFER_FAILED", message, { cause });
    if (isSqlBlocksError(cause)) Object.defineProperty(this, "transient", { value: cause.transient });
  }
}

/**
 * Inserts row chunks from any async source into a table through the target's `executeMany`
 * (its multi-row insert path), one chunk at a time: the source is pulled no faster than the
 * target writes, so memory stays bounded by the chunk size. `transfer` and the file loaders of
 * `@sqlblocks/files` are this function over a query's stream and a file's reader.
 *
 * @example
 * import { loadRows, SqlConnector } from "@sqlblocks/core";
 *
 * await using db = await SqlConnector.load("warehouse");
 * await loadRows(db, chunksFromSomewhere(), { table: "events", commit: "batch" });
 */
export async function loadRows(
  target: SqlConnector,
  chunks: AsyncIterable<readonly Row[]>,
  options: LoadRowsOptions,
): Promise<TransferResult> {
  const commit = options.commit ?? "all";
  checkLoadOptions(target.components.driver, options);
  const progress: TransferProgress = { rows: 0, batches: 0 };
  let columns = options.columns ? [...options.columns] : undefined;
  let insertSql: string | undefined;
  let committedRows = 0;

  const write = async (scope: TransactionScope | SqlConnector, batch: readonly Row[]): Promise<void> => {
    if (batch.length === 0) return;
    if (!columns) columns = Object.keys(batch[0] as Row);
    if (columns.length === 0) throw new InvalidParametersError("the source gave rows without columns");
    insertSql ??= insertStatement(target.components.driver, options.table, columns);
    await scope.executeMany(insertSql, batch.map((row) => toParams(row, columns as string[])));
    if (scope === target) committedRows += batch.length;
    progress.rows += batch.length;
    progress.batches += 1;
    options.onProgress?.({ ...progress });
  };

  try {
    if (commit === "all") {
      await target.transaction((tx) => pump(chunks, (batch) => write(tx, batch)));
      committedRows = progress.rows;
    } else {
      await pump(chunks, (batch) => write(target, batch));
    }
  } catch (error) {
    if (error instanceof InvalidParametersError) throw error;
    const side = error instanceof SideError ? error.side : "target";
    const cause = error instanceof SideError ? error.cause : error;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new TransferError(
      `loading ${options.table} failed on the ${side} after ${progress.rows} rows ` +
        `(${commit === "all" ? "rolled back: the target keeps none" : `the target keeps the ${committedRows} rows committed before`}): ${reason}`,
      commit === "all" ? 0 : committedRows,
      side,
      cause,
    );
  }
  return { rows: committedRows, batches: progress.batches, columns: columns ?? [] };
}

/** Validates the options shared by loads and transfers before anything is read or written. */
export function checkLoadOptions(driver: Driver, options: LoadRowsOptions): void {
  const commit = options.commit ?? "all";
  if (commit !== "all" && commit !== "batch") {
    throw new InvalidParametersError(`commit must be "all" or "batch", got ${JSON.stringify(commit)}`);
  }
  if (typeof options.table !== "string" || options.table.trim() === "") {
    throw new InvalidParametersError("table must name the target table");
  }
  if (options.columns !== undefined && options.columns.length === 0) {
    throw new InvalidParametersError("columns, when given, must name at least one column");
  }
  quoteIdentifier(driver, options.table);
  for (const column of options.columns ?? []) quoteIdentifier(driver, column);
}

/** Marks which side of a load an error came from. */
class SideError extends Error {
  constructor(
    readonly side: "source" | "target",
    override readonly cause: unknown,
  ) {
    super(side);
  }
}

async function pump(chunks: AsyncIterable<readonly Row[]>, write: (batch: readonly Row[]) => Promise<void>): Promise<void> {
  const source = chunks[Symbol.asyncIterator]();
  while (true) {
    let next: IteratorResult<readonly Row[]>;
    try {
      next = await source.next();
    } catch (error) {
      throw new SideError("source", error);
    }
    if (next.done) return;
    try {
      await write(next.value);
    } catch (error) {
      // Stop the source too: a query's cursor is closed and its connection released.
      await source.return?.(undefined)?.catch(() => undefined);
      throw new SideError("target", error);
    }
  }
}

function insertStatement(driver: Driver, table: string, columns: readonly string[]): string {
  const names = columns.map((column) => quoteIdentifier(driver, column)).join(", ");
  const values = columns.map((_, index) => `:c${index}`).join(", ");
  return `INSERT INTO ${quoteIdentifier(driver, table)} (${names}) VALUES (${values})`;
}

function toParams(row: Row, columns: readonly string[]): Params {
  const params: Record<string, unknown> = {};
  for (let index = 0; index < columns.length; index++) {
    const value = row[columns[index] as string];
    params[`c${index}`] = value === undefined ? null : value;
  }
  return params;
}
