import path from "node:path";
import { InvalidParametersError } from "@sqlblocks/core";

/** The file formats `@sqlblocks/files` reads and writes. */
export type FileFormat = "csv" | "ndjson" | "parquet";

const BY_EXTENSION: Readonly<Record<string, FileFormat>> = {
  ".csv": "csv",
  ".ndjson": "ndjson",
  ".jsonl": "ndjson",
  ".parquet": "parquet",
};

/** The format given, or the one the file's extension names. */
export function formatOf(file: string, given: FileFormat | undefined): FileFormat {
  if (given !== undefined) {
    if (given !== "csv" && given !== "ndjson" && given !== "parquet") {
      throw new InvalidParametersError(`format must be "csv", "ndjson" or "parquet", got ${JSON.stringify(given)}`);
    }
    return given;
  }
  const format = BY_EXTENSION[path.extname(file).toLowerCase()];
  if (!format) {
    throw new InvalidParametersError(
      `cannot tell the format of ${JSON.stringify(file)} from its extension: pass format "csv", "ndjson" or "parquet"`,
    );
  }
  return format;
}
