import { createWriteStream } from "node:fs";
import type { Writable } from "node:stream";
import { InvalidParametersError, type Params, type SqlConnector } from "@sqlblocks/core";
import { type FileFormat, formatOf } from "./format.js";
import { writeCsv } from "./formats/csv.js";
import { writeNdjson } from "./formats/ndjson.js";
import { writeParquet } from "./formats/parquet.js";
import type { BinaryEncoding } from "./values.js";

/** Options of {@link exportQuery}. */
export interface ExportOptions {
  /** The file to write (replaced if it exists). */
  path: string;
  /** Default: from the extension (.csv, .ndjson/.jsonl, .parquet). */
  format?: FileFormat;
  /** Columns to write, in order (default: the query's). */
  columns?: readonly string[];
  /** Rows fetched from the database at a time (default 5,000). */
  chunkSize?: number;
  /** CSV and NDJSON: how binary values are written (default "hex", `\x…`). */
  binary?: BinaryEncoding;
}

/** What {@link exportQuery} wrote. */
export interface ExportResult {
  rows: number;
  format: FileFormat;
  path: string;
}

/**
 * Streams a query's result into a CSV, NDJSON or Parquet file through a server-side cursor:
 * memory stays bounded by `chunkSize` rows (Parquet: by a row group of 100,000 rows).
 *
 * @example
 * import { SqlConnector } from "@sqlblocks/core";
 * import { exportQuery } from "@sqlblocks/files";
 *
 * await using db = await SqlConnector.load("warehouse");
 * const { rows } = await exportQuery(db, "SELECT * FROM orders WHERE day = :day", { day }, { path: "orders.parquet" });
 */
export async function exportQuery(
  connector: SqlConnector,
  sql: string,
  params: Params | undefined,
  options: ExportOptions,
): Promise<ExportResult> {
  const format = formatOf(options.path, options.format);
  const chunkSize = options.chunkSize ?? 5_000;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new InvalidParametersError(`chunkSize must be a positive integer, got ${String(options.chunkSize)}`);
  }
  const binary = options.binary ?? "hex";
  const chunks = connector.stream(sql, params, { chunkSize });
  const settings = { binary, ...(options.columns ? { columns: options.columns } : {}) };
  let rows: number;
  if (format === "parquet") {
    rows = await writeParquet(chunks, options.path, settings);
  } else {
    const out = createWriteStream(options.path);
    try {
      rows = format === "csv" ? await writeCsv(chunks, out, settings) : await writeNdjson(chunks, out, settings);
    } catch (error) {
      out.destroy();
      throw error;
    }
  }
  return { rows, format, path: options.path };
}

/** Writes rows from any async source of row chunks (e.g. `connector.stream`) to a stream as CSV or NDJSON. */
export async function writeRows(
  chunks: AsyncIterable<readonly Record<string, unknown>[]>,
  out: Writable,
  options: { format: "csv" | "ndjson"; columns?: readonly string[]; binary?: BinaryEncoding },
): Promise<number> {
  const settings = { binary: options.binary ?? "hex", ...(options.columns ? { columns: options.columns } : {}) } as const;
  return options.format === "csv" ? writeCsv(chunks, out, settings) : writeNdjson(chunks, out, settings);
}
