import { createReadStream } from "node:fs";
import type { Writable } from "node:stream";
import type { Row } from "@sqlblocks/core";
import { parse } from "csv-parse";
import { stringify } from "csv-stringify";
import { FileFormatError } from "../errors.js";
import { type BinaryEncoding, toText } from "../values.js";
import { drain, finish } from "./sink.js";

/**
 * Writes row chunks as CSV with a header line. NULL is an empty unquoted field and the empty
 * string is `""`, so the two read back apart.
 */
export async function writeCsv(
  chunks: AsyncIterable<readonly Row[]>,
  out: Writable,
  options: { columns?: readonly string[]; binary: BinaryEncoding },
): Promise<number> {
  let columns = options.columns;
  const csv = stringify({ cast: { string: (value) => (value === "" ? { value: "", quoted_empty: true } : value) } });
  csv.pipe(out);
  let rows = 0;
  for await (const chunk of chunks) {
    for (const row of chunk) {
      if (!columns) {
        columns = Object.keys(row);
        await drain(csv, columns);
      }
      await drain(
        csv,
        columns.map((column) => toText(row[column], options.binary)),
      );
      rows++;
    }
  }
  if (!columns && options.columns) await drain(csv, [...options.columns]);
  await finish(csv, out);
  return rows;
}

/**
 * Reads a CSV file with a header line as row chunks keyed by the header's names. An empty
 * unquoted field is NULL; `""` is the empty string. A malformed line is a
 * {@link FileFormatError} naming the line.
 */
export async function* readCsv(file: string, chunkSize: number): AsyncGenerator<Row[], void, undefined> {
  const parser = createReadStream(file).pipe(
    parse({
      columns: true,
      cast: (value, context) => (value === "" && !context.quoting ? null : value),
      relax_column_count: false,
    }),
  );
  let chunk: Row[] = [];
  try {
    for await (const record of parser as AsyncIterable<Row>) {
      chunk.push(record);
      if (chunk.length >= chunkSize) {
        yield chunk;
        chunk = [];
      }
    }
  } catch (error) {
    throw csvError(file, error);
  } finally {
    parser.destroy();
  }
  if (chunk.length > 0) yield chunk;
}

function csvError(file: string, error: unknown): unknown {
  if (typeof error !== "object" || error === null || !("code" in error)) return error;
  const details = error as { code: string; lines?: number; message?: string };
  if (!String(details.code).startsWith("CSV_") && details.code !== "INVALID_OPENING_QUOTE") return error;
  return new FileFormatError(
    `${file}: malformed CSV at line ${details.lines ?? "?"}: ${details.message ?? details.code}`,
    file,
    details.lines,
    undefined,
    error,
  );
}
