import { existsSync } from "node:fs";
import {
  InvalidParametersError,
  type LoadRowsOptions,
  loadRows,
  type Row,
  type SqlConnector,
  TransferError,
  type TransferResult,
} from "@sqlblocks/core";
import { FileFormatError } from "./errors.js";
import { type FileFormat, formatOf } from "./format.js";
import { readCsv } from "./formats/csv.js";
import { readNdjson } from "./formats/ndjson.js";
import { readParquet } from "./formats/parquet.js";
import { toText } from "./values.js";

/** Options of {@link loadFile}. */
export interface LoadFileOptions extends LoadRowsOptions {
  /** The file to read. */
  path: string;
  /** Default: from the extension (.csv, .ndjson/.jsonl, .parquet). */
  format?: FileFormat;
  /** Rows per insert batch (default 5,000). */
  batchSize?: number;
}

/**
 * Loads a CSV (with a header line), NDJSON or Parquet file into a table through the bulk
 * insert path, batch by batch, in one transaction (`commit: "all"`, the default: all rows or
 * none) or a commit per batch. Columns are matched by name; `columns` picks and orders them.
 * A malformed line is a `FileFormatError` naming the line; a column the table does not have
 * fails the insert with the database's error naming it, and the target keeps what its commit
 * mode promises (`TransferError.committedRows`).
 *
 * @example
 * import { SqlConnector } from "@sqlblocks/core";
 * import { loadFile } from "@sqlblocks/files";
 *
 * await using db = await SqlConnector.load("warehouse");
 * const { rows } = await loadFile(db, { path: "customers.csv", table: "customers" });
 */
export async function loadFile(connector: SqlConnector, options: LoadFileOptions): Promise<TransferResult> {
  const format = formatOf(options.path, options.format);
  const batchSize = options.batchSize ?? 5_000;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidParametersError(`batchSize must be a positive integer, got ${String(options.batchSize)}`);
  }
  if (!existsSync(options.path)) {
    throw new InvalidParametersError(`no file at ${JSON.stringify(options.path)}`);
  }
  const { path, format: _format, batchSize: _batch, ...load } = options;
  const chunks = readFile(path, format, batchSize);
  try {
    return await loadRows(connector, checked(path, chunks, options.columns), load);
  } catch (error) {
    // A malformed file is the caller's to fix: report it as such, not as a failed transfer.
    if (error instanceof TransferError && error.cause instanceof FileFormatError) {
      const bad = error.cause;
      const kept = error.committedRows;
      throw new FileFormatError(
        `${bad.message} (${kept === 0 ? "nothing was loaded" : `the ${kept} rows of the batches before it were committed`})`,
        bad.file,
        bad.line,
        bad.column,
        bad,
        kept,
      );
    }
    throw error;
  }
}

function readFile(path: string, format: FileFormat, batchSize: number): AsyncIterable<Row[]> {
  if (format === "csv") return readCsv(path, batchSize);
  if (format === "ndjson") return readNdjson(path, batchSize);
  return readParquet(path, batchSize);
}

/** With `columns` given, a file that lacks one of them is refused before anything is written. */
async function* checked(
  path: string,
  chunks: AsyncIterable<Row[]>,
  columns: readonly string[] | undefined,
): AsyncGenerator<Row[], void, undefined> {
  let first = true;
  for await (const chunk of chunks) {
    if (first && columns && chunk[0]) {
      const missing = columns.filter((column) => !(column in (chunk[0] as Row)));
      if (missing.length > 0) {
        throw new FileFormatError(
          `${path}: has no column ${missing.map((m) => JSON.stringify(m)).join(", ")} (it has ${Object.keys(chunk[0] as Row)
            .map((m) => JSON.stringify(m))
            .join(", ")})`,
          path,
          undefined,
          missing[0],
        );
      }
    }
    first = false;
    yield chunk.map(jsonDocuments);
  }
}

/**
 * Nested values (NDJSON objects and arrays, Parquet JSON columns) are JSON documents: they are
 * bound as JSON text, which json/jsonb/JSON columns read as such. (Bound as they are, the pg
 * module would turn an array into a PostgreSQL array literal.)
 */
function jsonDocuments(row: Row): Row {
  for (const key of Object.keys(row)) {
    const value = row[key];
    if (typeof value === "object" && value !== null && !(value instanceof Date) && !(value instanceof Uint8Array)) {
      row[key] = toText(value, "hex");
    }
  }
  return row;
}
