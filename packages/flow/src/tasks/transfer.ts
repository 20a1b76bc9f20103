import { SqlConnector, type TransferCommitMode, type TransferResult, transfer } from "@sqlblocks/core";
import { getRunLogger } from "../context.js";
import { task } from "../define.js";

/** What {@link transferTask} takes: block names, never connectors, so a run's inputs hold no secret. */
export interface TransferTaskInput {
  /** Name of the source SQL Connector block. */
  from: string;
  /** The query that yields the rows. */
  query: string;
  /** Parameters of the query. */
  params?: Record<string, unknown>;
  /** Name of the target SQL Connector block. */
  to: string;
  /** The target table. */
  table: string;
  /** Target columns (default: the source's column names). */
  columns?: string[];
  /** Rows per batch (default 5,000). */
  batchSize?: number;
  /** "all" (default) or "batch"; see `transfer`. */
  commit?: TransferCommitMode;
}

/**
 * A ready task that copies a query's rows from one block's database into a table of another,
 * loading both blocks inside the task and closing them on exit (the documented pattern).
 * Progress is logged to the run log after each batch.
 *
 * @example
 * import { flow, transferTask } from "@sqlblocks/flow";
 *
 * const nightly = flow("nightly-copy", async () =>
 *   transferTask({ from: "warehouse", query: "SELECT * FROM orders", to: "reporting", table: "orders" }),
 * );
 */
export const transferTask = task({ name: "transfer", tags: ["transfer"] }, async (input: TransferTaskInput): Promise<TransferResult> => {
  const logger = getRunLogger();
  const from = await SqlConnector.load(input.from);
  try {
    const to = await SqlConnector.load(input.to);
    try {
      const result = await transfer({
        from,
        query: input.query,
        ...(input.params === undefined ? {} : { params: input.params }),
        to,
        table: input.table,
        ...(input.columns === undefined ? {} : { columns: input.columns }),
        ...(input.batchSize === undefined ? {} : { batchSize: input.batchSize }),
        ...(input.commit === undefined ? {} : { commit: input.commit }),
        onProgress: ({ rows, batches }) => logger.info(`transferred ${rows} rows in ${batches} batches into ${input.table}`),
      });
      logger.info(`transfer done: ${result.rows} rows from ${input.from} into ${input.to}.${input.table}`);
      return result;
    } finally {
      await to.close();
    }
  } finally {
    await from.close();
  }
});
