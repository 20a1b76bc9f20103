/**
 * A hand-written SQL scanner that finds `:name` parameters and nothing else.
 *
 * It does not parse SQL. It only knows enough lexical structure (strings, quoted
 * identifiers, dollar quotes, comments) to be sure that a colon it reports is in
 * ordinary SQL text, where the database would also see it as code.
 */

/** Which dialect-specific lexical rules the scanner applies. */
export interface ScanOptions {
  /**
   * Backslash escapes the next character inside `'…'` and `"…"` (MySQL, MariaDB).
   * PostgreSQL `E'…'` strings always honour backslashes, whatever this says.
   */
  readonly backslashEscapes: boolean;
  /** `[…]` is a quoted identifier (SQL Server, SQLite) rather than an array subscript. */
  readonly bracketIdentifiers: boolean;
  /** `#` starts a comment to the end of the line (MySQL, MariaDB). */
  readonly hashComments: boolean;
  /** Block comments nest (PostgreSQL, SQL Server); elsewhere the first `*\/` ends one. */
  readonly nestedComments: boolean;
  /** Oracle's alternative quoting: `q'[…]'`, `q'{…}'`, `q'!…!'`, `nq'…'`. */
  readonly alternativeQuotes: boolean;
}

/**
 * One piece of scanned SQL.
 *
 * - `code`: ordinary SQL text; a `\:` in the source appears here as `:`.
 * - `quoted`: a string literal, quoted identifier or dollar-quoted string, byte for byte.
 * - `comment`: a line or block comment, byte for byte.
 * - `param`: a `:name` parameter.
 */
export type SqlSegment =
  | { readonly kind: "code"; readonly text: string }
  | { readonly kind: "quoted"; readonly text: string }
  | { readonly kind: "comment"; readonly text: string }
  | { readonly kind: "param"; readonly name: string };

const BACKSLASH = 0x5c;
const SINGLE_QUOTE = 0x27;
const DOUBLE_QUOTE = 0x22;
const BACKTICK = 0x60;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const DOLLAR = 0x24;
const DASH = 0x2d;
const SLASH = 0x2f;
const STAR = 0x2a;
const HASH = 0x23;
const COLON = 0x3a;

function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39);
}

/** Letters, digits, `_` and any non-ASCII character: what an unquoted identifier is made of. */
function isWordChar(c: number): boolean {
  return isNameChar(c) || c >= 0x80;
}

/**
 * Index just past a quoted run that opened at `open` and closes with `quote`.
 * A doubled closing character is an escaped one; with `backslash`, so is `\x`.
 * An unterminated run extends to the end, so its contents are never rewritten.
 */
function endOfQuoted(sql: string, open: number, quote: number, backslash: boolean): number {
  let i = open + 1;
  const n = sql.length;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (backslash && c === BACKSLASH) {
      i += 2;
    } else if (c === quote) {
      if (sql.charCodeAt(i + 1) === quote) i += 2;
      else return i + 1;
    } else {
      i++;
    }
  }
  return n;
}

/** Index just past a block comment; with `nested`, `/* /* *\/ *\/` is one comment. */
function endOfBlockComment(sql: string, open: number, nested: boolean): number {
  if (!nested) {
    const close = sql.indexOf("*/", open + 2);
    return close === -1 ? sql.length : close + 2;
  }
  let depth = 1;
  let i = open + 2;
  const n = sql.length;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === STAR && sql.charCodeAt(i + 1) === SLASH) {
      i += 2;
      if (--depth === 0) return i;
    } else if (c === SLASH && sql.charCodeAt(i + 1) === STAR) {
      i += 2;
      depth++;
    } else {
      i++;
    }
  }
  return n;
}

function endOfLine(sql: string, from: number): number {
  const newline = sql.indexOf("\n", from);
  return newline === -1 ? sql.length : newline;
}

/**
 * Index just past a dollar-quoted string opening at `open`, or -1 when the `$` there
 * does not open one. `$1` is a positional parameter, and `a$b$` is an identifier
 * (PostgreSQL allows `$` inside names), so neither counts.
 */
function endOfDollarQuote(sql: string, open: number): number {
  if (open > 0) {
    const before = sql.charCodeAt(open - 1);
    if (isWordChar(before) || before === DOLLAR) return -1;
  }
  let i = open + 1;
  const first = sql.charCodeAt(i);
  if (first !== DOLLAR) {
    if (!(isNameStart(first) || first >= 0x80)) return -1;
    while (i < sql.length && isWordChar(sql.charCodeAt(i))) i++;
    if (sql.charCodeAt(i) !== DOLLAR) return -1;
  }
  const tag = sql.slice(open, i + 1);
  const close = sql.indexOf(tag, i + 1);
  // PostgreSQL rejects an unterminated dollar quote; elsewhere `$x$` may be ordinary
  // text, so it is safer to keep scanning than to swallow the rest of the statement.
  return close === -1 ? -1 : close + tag.length;
}

const CLOSING_DELIMITERS: Readonly<Record<string, string>> = { "[": "]", "{": "}", "<": ">", "(": ")" };

/**
 * Index just past an Oracle `q'<d>…<d>'` literal whose `'` is at `quote`, or -1 when the
 * `'` does not open one (no `q`/`nq` prefix standing on its own).
 */
function endOfAlternativeQuote(sql: string, quote: number): number {
  const q = sql.charCodeAt(quote - 1);
  if (q !== 0x71 && q !== 0x51) return -1;
  let before = quote >= 2 ? sql.charCodeAt(quote - 2) : -1;
  if ((before === 0x6e || before === 0x4e) && !(quote >= 3 && isWordChar(sql.charCodeAt(quote - 3)))) before = -1;
  if (before !== -1 && isWordChar(before)) return -1;
  const open = sql[quote + 1];
  if (open === undefined || open === "'" || /\s/.test(open)) return -1;
  const terminator = `${CLOSING_DELIMITERS[open] ?? open}'`;
  const close = sql.indexOf(terminator, quote + 2);
  return close === -1 ? sql.length : close + terminator.length;
}

/** True when the `'` at `quote` opens a PostgreSQL `E'…'` string. */
function isEscapeStringPrefix(sql: string, quote: number): boolean {
  const prefix = sql.charCodeAt(quote - 1);
  if (prefix !== 0x45 && prefix !== 0x65) return false;
  // `date'…'` or `some'…'` end in e but are not the E prefix.
  return quote < 2 || !isWordChar(sql.charCodeAt(quote - 2));
}

/**
 * Splits SQL into code, quoted runs, comments and `:name` parameters.
 *
 * Joining the segments back together (with each parameter as `:name`) gives the
 * input, except that each `\:` in code has become `:`.
 *
 * @example
 * scanSql("select ':x', :y", options)
 * // [{ kind: "code", text: "select " }, { kind: "quoted", text: "':x'" },
 * //  { kind: "code", text: ", " }, { kind: "param", name: "y" }]
 */
export function scanSql(sql: string, options: ScanOptions): SqlSegment[] {
  const segments: SqlSegment[] = [];
  const n = sql.length;
  // Code is accumulated lazily: `code` holds text already taken, `codeStart` marks
  // the start of the source slice not yet copied into it.
  let code = "";
  let codeStart = 0;
  let i = 0;

  const flushCode = (end: number): void => {
    code += sql.slice(codeStart, end);
    if (code !== "") segments.push({ kind: "code", text: code });
    code = "";
  };
  const takeVerbatim = (kind: "quoted" | "comment", start: number, end: number): void => {
    flushCode(start);
    segments.push({ kind, text: sql.slice(start, end) });
    codeStart = end;
    i = end;
  };

  while (i < n) {
    const c = sql.charCodeAt(i);
    switch (c) {
      case SINGLE_QUOTE: {
        const alternative = options.alternativeQuotes ? endOfAlternativeQuote(sql, i) : -1;
        if (alternative !== -1) {
          takeVerbatim("quoted", i, alternative);
          continue;
        }
        const backslash = options.backslashEscapes || isEscapeStringPrefix(sql, i);
        takeVerbatim("quoted", i, endOfQuoted(sql, i, SINGLE_QUOTE, backslash));
        continue;
      }
      case DOUBLE_QUOTE:
        // In MySQL "…" is a string by default, with the same backslash rules as '…'.
        takeVerbatim("quoted", i, endOfQuoted(sql, i, DOUBLE_QUOTE, options.backslashEscapes));
        continue;
      case BACKTICK:
        takeVerbatim("quoted", i, endOfQuoted(sql, i, BACKTICK, false));
        continue;
      case OPEN_BRACKET:
        if (options.bracketIdentifiers) {
          takeVerbatim("quoted", i, endOfQuoted(sql, i, CLOSE_BRACKET, false));
          continue;
        }
        break;
      case DOLLAR: {
        const end = endOfDollarQuote(sql, i);
        if (end !== -1) {
          takeVerbatim("quoted", i, end);
          continue;
        }
        break;
      }
      case DASH:
        if (sql.charCodeAt(i + 1) === DASH) {
          takeVerbatim("comment", i, endOfLine(sql, i + 2));
          continue;
        }
        break;
      case HASH:
        if (options.hashComments) {
          takeVerbatim("comment", i, endOfLine(sql, i + 1));
          continue;
        }
        break;
      case SLASH:
        if (sql.charCodeAt(i + 1) === STAR) {
          takeVerbatim("comment", i, endOfBlockComment(sql, i, options.nestedComments));
          continue;
        }
        break;
      case BACKSLASH:
        if (sql.charCodeAt(i + 1) === COLON) {
          code += sql.slice(codeStart, i) + ":";
          i += 2;
          codeStart = i;
          continue;
        }
        break;
      case COLON: {
        const next = sql.charCodeAt(i + 1);
        if (next === COLON) {
          // A `::` cast: skip both so the second colon is not read as `:type`.
          i += 2;
          continue;
        }
        const before = i > 0 ? sql.charCodeAt(i - 1) : -1;
        // As in SQLAlchemy, `a:b` (e.g. the array slice `arr[lo:hi]`) is not a parameter.
        if (isNameStart(next) && !isWordChar(before) && before !== COLON) {
          let end = i + 2;
          while (end < n && isNameChar(sql.charCodeAt(end))) end++;
          flushCode(i);
          segments.push({ kind: "param", name: sql.slice(i + 1, end) });
          codeStart = i = end;
          continue;
        }
        break;
      }
      default:
        break;
    }
    i++;
  }
  flushCode(n);
  return segments;
}
