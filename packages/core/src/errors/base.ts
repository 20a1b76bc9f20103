/**
 * The root of every sqlblocks error: {@link SqlBlocksError} and its brand check.
 */

const ERROR_BRAND = Symbol.for("sqlblocks.error");

/** Options shared by all sqlblocks errors. */
export interface SqlBlocksErrorOptions {
  cause?: unknown;
}

/**
 * Base class of all sqlblocks errors.
 *
 * Use {@link isSqlBlocksError} rather than `instanceof` when two copies of the
 * package may be loaded.
 */
export class SqlBlocksError extends Error {
  /** A stable, machine-readable code such as `SQLBLOCKS_BLOCK_NOT_FOUND`. */
  readonly code: string;
  /** Whether retrying the same operation may succeed (connection lost, deadlock, …). */
  readonly transient: boolean = false;

  constructor(code: string, message: string, options: SqlBlocksErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
    Object.defineProperty(this, ERROR_BRAND, { value: true });
  }
}

/** True for any error raised by sqlblocks, even from another copy of the package. */
export function isSqlBlocksError(value: unknown): value is SqlBlocksError {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[ERROR_BRAND] === true;
}
