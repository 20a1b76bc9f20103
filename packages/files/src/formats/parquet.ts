import type { Row } from "@sqlblocks/core";
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from "hyparquet";
import { fileWriter, parquetWriteRows } from "hyparquet-writer";
import { FileFormatError } from "../errors.js";
import { toText } from "../values.js";

type ColumnKind = "DOUBLE" | "INT64" | "BOOLEAN" | "TIMESTAMP" | "BYTE_ARRAY" | "STRING" | "JSON";

interface ParquetColumn {
  name: string;
  kind: ColumnKind;
}

/**
 * The Parquet type of a column, from its first non-null value in the first chunk: numbers are
 * DOUBLE (exact for integers up to 2^53), bigint INT64, Date TIMESTAMP (milliseconds), binary
 * BYTE_ARRAY, objects and arrays JSON, text (decimals included) STRING. Every column is
 * nullable; a column with only nulls in the first chunk is STRING.
 */
function kindOf(values: readonly unknown[]): ColumnKind {
  const value = values.find((v) => v !== null && v !== undefined);
  if (typeof value === "number") return "DOUBLE";
  if (typeof value === "bigint") return "INT64";
  if (typeof value === "boolean") return "BOOLEAN";
  if (value instanceof Date) return "TIMESTAMP";
  if (value instanceof Uint8Array) return "BYTE_ARRAY";
  if (typeof value === "object" && value !== null) return "JSON";
  return "STRING";
}

function coerce(file: string, column: ParquetColumn, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (column.kind) {
    case "STRING":
      return toText(value, "hex");
    case "JSON":
      return value;
    case "DOUBLE":
      if (typeof value === "number") return value;
      break;
    case "INT64":
      if (typeof value === "bigint") return value;
      if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
      break;
    case "BOOLEAN":
      if (typeof value === "boolean") return value;
      break;
    case "TIMESTAMP":
      if (value instanceof Date) return value;
      break;
    case "BYTE_ARRAY":
      if (value instanceof Uint8Array) return value;
      break;
  }
  throw new FileFormatError(
    `${file}: column ${JSON.stringify(column.name)} holds ${column.kind} values, then a ${typeof value}: give the query a consistent type (a cast)`,
    file,
    undefined,
    column.name,
  );
}

/** Writes row chunks to a Parquet file, one row group per 100,000 rows at most. */
export async function writeParquet(
  chunks: AsyncIterable<readonly Row[]>,
  file: string,
  options: { columns?: readonly string[] },
): Promise<number> {
  const iterator = chunks[Symbol.asyncIterator]();
  let first = await iterator.next();
  while (!first.done && first.value.length === 0) first = await iterator.next();
  const sample = first.done ? [] : first.value;
  const names = options.columns ?? (sample[0] ? Object.keys(sample[0]) : []);
  if (names.length === 0) {
    throw new FileFormatError(`${file}: the query returned no rows and no columns were given, so Parquet has no schema to write`, file, undefined, undefined);
  }
  const columns: ParquetColumn[] = names.map((name) => ({ name, kind: kindOf(sample.map((row) => row[name])) }));
  let rows = 0;
  async function* coerced(): AsyncGenerator<Record<string, unknown>> {
    let chunk: readonly Row[] | undefined = sample;
    while (chunk) {
      for (const row of chunk) {
        const out: Record<string, unknown> = {};
        for (const column of columns) out[column.name] = coerce(file, column, row[column.name]);
        rows++;
        yield out;
      }
      const next = await iterator.next();
      chunk = next.done ? undefined : next.value;
    }
  }
  await parquetWriteRows({
    writer: fileWriter(file),
    rows: coerced(),
    columns: columns.map((column) => ({ name: column.name, type: column.kind, nullable: true })),
    rowGroupSize: 100_000,
  });
  return rows;
}

/** Reads a Parquet file as row chunks of at most `chunkSize` rows. */
export async function* readParquet(file: string, chunkSize: number): AsyncGenerator<Row[], void, undefined> {
  let buffer: Awaited<ReturnType<typeof asyncBufferFromFile>>;
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  try {
    buffer = await asyncBufferFromFile(file);
    metadata = await parquetMetadataAsync(buffer);
  } catch (error) {
    throw new FileFormatError(`${file}: not a readable Parquet file: ${(error as Error).message}`, file, undefined, undefined, error);
  }
  const total = Number(metadata.num_rows);
  const binaryColumns = new Set(
    parquetSchema(metadata)
      .children.filter((child) => child.element.type === "BYTE_ARRAY" && !child.element.converted_type && !child.element.logical_type)
      .map((child) => child.element.name),
  );
  for (let start = 0; start < total; start += chunkSize) {
    const rows = (await parquetReadObjects({
      file: buffer,
      metadata,
      rowStart: start,
      rowEnd: Math.min(start + chunkSize, total),
      utf8: false,
    })) as Row[];
    if (binaryColumns.size === 0) {
      yield rows;
      continue;
    }
    yield rows.map((row) => {
      for (const name of binaryColumns) {
        const value = row[name];
        if (value instanceof Uint8Array) row[name] = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      }
      return row;
    });
  }
}
