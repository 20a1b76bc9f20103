import type { Params, SqlConnector } from "../connector/sql-connector.js";
import { InvalidParametersError } from "../errors.js";
import { checkLoadOptions, type LoadRowsOptions, loadRows, type TransferResult } from "./load-rows.js";

/** Options of {@link transfer}. */
export interface TransferOptions extends LoadRowsOptions {
  /** Where the rows come from. */
  from: SqlConnector;
  /** The query that yields the rows (named parameters as everywhere). */
  query: string;
  /** Parameters of {@link TransferOptions.query}. */
  params?: Params;
  /** Where the rows go. */
  to: SqlConnector;
  /** Rows read from the source and written to the target at a time (default 5,000). */
  batchSize?: number;
}

const DEFAULT_BATCH_SIZE = 5_000;

/**
 * Copies the rows of a query on one connector into a table on another, any pair of drivers.
 *
 * Rows are streamed through the source's server-side cursor and written with the target's
 * `executeMany`, one batch at a time: the source is read no faster than the target writes, so
 * memory stays bounded by `batchSize` whatever the row count. With `commit: "all"` (default)
 * the target gets all rows or none; with `commit: "batch"` each batch commits on its own and a
 * failure keeps what was committed before it ({@link TransferError.committedRows}). Two
 * connections are held at once (one on each side): a connector copying into itself needs a
 * pool of at least two.
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
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidParametersError(`batchSize must be a positive integer, got ${String(options.batchSize)}`);
  }
  checkLoadOptions(options.to.components.driver, options);
  const { from, to, query, params, batchSize: _batch, ...load } = options;
  return loadRows(to, from.stream(query, params, { chunkSize: batchSize }), load);
}
