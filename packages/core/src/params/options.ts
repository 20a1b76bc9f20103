import type { PlaceholderStyle } from "./placeholders.js";
import type { ScanOptions } from "./scanner.js";

/**
 * Dialect details the placeholder style alone does not decide. Drivers set these;
 * the defaults suit PostgreSQL, SQLite, SQL Server and Oracle.
 */
export interface CompileOptions {
  /**
   * Backslash escapes the next character inside `'…'` and `"…"`, as in MySQL and
   * MariaDB (unless `NO_BACKSLASH_ESCAPES` is set). Default `false`: SQLite and
   * standard SQL treat a backslash as an ordinary character. PostgreSQL `E'…'`
   * strings honour backslashes either way.
   */
  readonly backslashEscapes?: boolean | undefined;
  /** `#` starts a line comment, as in MySQL and MariaDB. Default `false`. */
  readonly hashComments?: boolean | undefined;
  /**
   * `[…]` is a quoted identifier. Default: `true` except for the `dollar` style, because
   * in PostgreSQL brackets are array subscripts and constructors (`ARRAY[:a, :b]`)
   * whose contents must be bound.
   */
  readonly bracketIdentifiers?: boolean | undefined;
  /** Block comments nest. Default: only for `dollar` (PostgreSQL) and `at-p` (SQL Server). */
  readonly nestedComments?: boolean | undefined;
  /** Oracle's `q'[…]'` literals. Default: only for `colon-number` (Oracle). */
  readonly alternativeQuotes?: boolean | undefined;
}

/** Fills in the defaults for a style. */
export function resolveScanOptions(style: PlaceholderStyle, options: CompileOptions | undefined): ScanOptions {
  return {
    backslashEscapes: options?.backslashEscapes ?? false,
    hashComments: options?.hashComments ?? false,
    bracketIdentifiers: options?.bracketIdentifiers ?? style !== "dollar",
    nestedComments: options?.nestedComments ?? (style === "dollar" || style === "at-p"),
    alternativeQuotes: options?.alternativeQuotes ?? style === "colon-number",
  };
}

/** A cache key that tells apart every combination of style and options. */
export function cacheKey(sql: string, style: PlaceholderStyle, scan: ScanOptions): string {
  const flags =
    (scan.backslashEscapes ? 1 : 0) |
    (scan.hashComments ? 2 : 0) |
    (scan.bracketIdentifiers ? 4 : 0) |
    (scan.nestedComments ? 8 : 0) |
    (scan.alternativeQuotes ? 16 : 0);
  return `${style}\u0000${flags}\u0000${sql}`;
}
