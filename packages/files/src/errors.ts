import { SqlBlocksError } from "@sqlblocks/core";

/** A file could not be read as the format it was given as: `line` (1-based) or `column` says where. */
export class FileFormatError extends SqlBlocksError {
  constructor(
    message: string,
    /** The file. */
    readonly file: string,
    /** The 1-based line of a text file where reading stopped, when known. */
    readonly line: number | undefined,
    /** The column that did not fit, when known. */
    readonly column: string | undefined,
    cause?: unknown,
    /** Rows a load had committed before it met the bad line (0 with commit "all"). */
    readonly committedRows = 0,
  ) {
    super("SQLBLOCKS_FILE_FORMAT", message, { cause });
  }
}
