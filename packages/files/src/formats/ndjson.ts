import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { Writable } from "node:stream";
import type { Row } from "@sqlblocks/core";
import { FileFormatError } from "../errors.js";
import { type BinaryEncoding, toJsonValue } from "../values.js";
import { drain, finish } from "./sink.js";

/** Writes row chunks as newline-delimited JSON, one object per row. */
export async function writeNdjson(
  chunks: AsyncIterable<readonly Row[]>,
  out: Writable,
  options: { columns?: readonly string[]; binary: BinaryEncoding },
): Promise<number> {
  let rows = 0;
  for await (const chunk of chunks) {
    let text = "";
    for (const row of chunk) {
      const columns = options.columns ?? Object.keys(row);
      const record: Record<string, unknown> = {};
      for (const column of columns) record[column] = toJsonValue(row[column], options.binary);
      text += `${JSON.stringify(record)}\n`;
      rows++;
    }
    if (text) await drain(out, text);
  }
  await finish(out, out);
  return rows;
}

/**
 * Reads newline-delimited JSON as row chunks. Blank lines are skipped; a line that is not a
 * JSON object is a {@link FileFormatError} naming the line.
 */
export async function* readNdjson(file: string, chunkSize: number): AsyncGenerator<Row[], void, undefined> {
  const input = createReadStream(file);
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let chunk: Row[] = [];
  let lineNumber = 0;
  try {
    for await (const line of lines) {
      lineNumber++;
      if (line.trim() === "") continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        throw new FileFormatError(`${file}: line ${lineNumber} is not valid JSON`, file, lineNumber, undefined, error);
      }
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new FileFormatError(`${file}: line ${lineNumber} is not a JSON object`, file, lineNumber, undefined);
      }
      chunk.push(value as Row);
      if (chunk.length >= chunkSize) {
        yield chunk;
        chunk = [];
      }
    }
  } finally {
    lines.close();
    input.destroy();
  }
  if (chunk.length > 0) yield chunk;
}
