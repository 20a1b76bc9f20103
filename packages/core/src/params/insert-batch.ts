import { BoundedCache } from "./cache.js";
import type { CompiledSql } from "./compile.js";
import { type CompileOptions, cacheKey, resolveScanOptions } from "./options.js";
import { type PlaceholderStyle, PlaceholderWriter } from "./placeholders.js";
import { type SqlSegment, scanSql } from "./scanner.js";

/**
 * Rewrites a single-row INSERT into multi-row INSERTs, so that `executeMany` sends
 * one statement per batch of rows instead of one round trip per row (SQLAlchemy's
 * "insertmanyvalues").
 */
export interface InsertBatchTemplate {
  /**
   * How many rows fit in one statement: as many as the driver's bind-parameter limit
   * allows, at most `maxRows`, and always at least 1.
   */
  rowsPerStatement(maxBindParameters: number, maxRows?: number): number;
  /**
   * One INSERT with `rows` copies of the VALUES tuple, its placeholders numbered
   * through all rows. `order` is the one-row order repeated `rows` times, so the
   * values are the rows' values concatenated:
   *
   * @example
   * const row = template.compile(1);
   * const values = batch.flatMap((params) => bindParameters(row, params));
   * run(template.compile(batch.length).sql, values);
   */
  compile(rows: number): CompiledSql;
  /**
   * Set when the tuple is parameters alone (`(:a, :b, …)`, no expressions, no literals):
   * the rows can go through a driver's bulk path (COPY) instead of multi-row VALUES.
   */
  readonly bulk?: BulkShape | undefined;
}

/** The parts of a plain INSERT a bulk load needs, as the statement wrote them. */
export interface BulkShape {
  /** The table, possibly schema-qualified, quoted as written. */
  readonly table: string;
  /** The column list as written, or undefined when the INSERT named none. */
  readonly columns: readonly string[] | undefined;
  /** The parameter name of each tuple item, in column order. */
  readonly params: readonly string[];
}

/** A word, a quoted run, a parameter, one punctuation character, or trivia (space, comments). */
interface Lexeme {
  readonly kind: "word" | "quoted" | "param" | "punct" | "trivia";
  /** The text as it goes into the output; for a parameter, its name. */
  readonly text: string;
}

const WORD_CHAR = /[A-Za-z0-9_$#@\u0080-\uffff]/;
const CODE_LEXEME = /\s+|[A-Za-z0-9_$#@\u0080-\uffff]+|[\s\S]/g;

function lex(segments: readonly SqlSegment[]): Lexeme[] {
  const lexemes: Lexeme[] = [];
  for (const segment of segments) {
    switch (segment.kind) {
      case "param":
        lexemes.push({ kind: "param", text: segment.name });
        break;
      case "quoted":
        lexemes.push({ kind: "quoted", text: segment.text });
        break;
      case "comment":
        lexemes.push({ kind: "trivia", text: segment.text });
        break;
      case "code":
        for (const [text] of segment.text.matchAll(CODE_LEXEME)) {
          const kind = /^\s/.test(text) ? "trivia" : WORD_CHAR.test(text) ? "word" : "punct";
          lexemes.push({ kind, text });
        }
        break;
    }
  }
  return lexemes;
}

/** Where the VALUES tuple sits in a plain single-row INSERT. */
interface InsertShape {
  /** The index of the tuple's `(`. */
  readonly open: number;
  /** The index of the tuple's `)`. */
  readonly close: number;
  readonly bulk: BulkShape | undefined;
}

function findPlainInsert(lexemes: readonly Lexeme[]): InsertShape | undefined {
  let i = -1;
  const advance = (): Lexeme | undefined => {
    do i++;
    while (i < lexemes.length && lexemes[i]?.kind === "trivia");
    return lexemes[i];
  };
  const isKeyword = (lexeme: Lexeme | undefined, keyword: string): boolean =>
    lexeme?.kind === "word" && lexeme.text.toUpperCase() === keyword;
  const isPunct = (lexeme: Lexeme | undefined, char: string): boolean =>
    lexeme?.kind === "punct" && lexeme.text === char;
  // Unquoted identifiers are words; "a b", `a` and [a] are quoted runs, but string literals are not names.
  const isIdentifier = (lexeme: Lexeme | undefined): boolean =>
    lexeme?.kind === "word" || (lexeme?.kind === "quoted" && /^["`[]/.test(lexeme.text));

  if (!isKeyword(advance(), "INSERT") || !isKeyword(advance(), "INTO")) return undefined;
  let table = advance();
  if (!isIdentifier(table)) return undefined;
  let tableText = table!.text;
  let next = advance();
  while (isPunct(next, ".")) {
    table = advance();
    if (!isIdentifier(table)) return undefined;
    tableText += `.${table!.text}`;
    next = advance();
  }
  let columns: string[] | undefined;
  if (isPunct(next, "(")) {
    columns = [];
    do {
      const column = advance();
      if (!isIdentifier(column)) return undefined;
      columns.push(column!.text);
      next = advance();
    } while (isPunct(next, ","));
    if (!isPunct(next, ")")) return undefined;
    next = advance();
  }
  if (!isKeyword(next, "VALUES") || !isPunct(advance(), "(")) return undefined;
  const open = i;
  let depth = 1;
  let params = 0;
  // Tuple items, while every item so far is one parameter alone; undefined once one is not.
  let items: string[] | undefined = [];
  let current: string | undefined;
  let itemLexemes = 0;
  while (depth > 0) {
    const lexeme = advance();
    if (lexeme === undefined) return undefined;
    if (lexeme.kind === "param") params++;
    else if (isPunct(lexeme, "(")) depth++;
    else if (isPunct(lexeme, ")")) depth--;
    if (depth === 1 && isPunct(lexeme, ",")) {
      if (items && current !== undefined && itemLexemes === 1) items.push(current);
      else items = undefined;
      current = undefined;
      itemLexemes = 0;
    } else if (depth === 0) {
      if (items && current !== undefined && itemLexemes === 1) items.push(current);
      else items = undefined;
    } else {
      itemLexemes++;
      current = lexeme.kind === "param" ? lexeme.text : undefined;
    }
  }
  const close = i;
  // A tuple without parameters inserts the same row every time: nothing to batch.
  if (params === 0) return undefined;
  for (let rest = advance(); rest !== undefined; rest = advance()) {
    if (!isPunct(rest, ";")) return undefined;
  }
  const bulk =
    items && (columns === undefined || columns.length === items.length)
      ? { table: tableText, columns, params: items }
      : undefined;
  return { open, close, bulk };
}

/** Compiled batches kept per template; executeMany needs a full batch and a remainder. */
const COMPILED_PER_TEMPLATE = 8;

function createTemplate(
  prefix: string,
  tuple: readonly Lexeme[],
  style: PlaceholderStyle,
  bulk: BulkShape | undefined,
): InsertBatchTemplate {
  const compiledByRows = new BoundedCache<number, CompiledSql>(COMPILED_PER_TEMPLATE);
  const compile = (rows: number): CompiledSql => {
    if (!Number.isSafeInteger(rows) || rows < 1) {
      throw new RangeError(`an INSERT batch needs a whole number of rows, at least 1; got ${rows}`);
    }
    const cached = compiledByRows.get(rows);
    if (cached) return cached;
    const writer = new PlaceholderWriter(style);
    const tuples: string[] = [];
    for (let row = 0; row < rows; row++) {
      let text = "";
      // Keyed by row, so `$n` and `@pN` are shared within a row but never across rows.
      for (const lexeme of tuple) text += lexeme.kind === "param" ? writer.next(lexeme.text, `${row}:${lexeme.text}`) : lexeme.text;
      tuples.push(text);
    }
    const compiled: CompiledSql = Object.freeze({
      sql: prefix + tuples.join(", "),
      order: Object.freeze(writer.order),
      names: Object.freeze(writer.names),
    });
    compiledByRows.set(rows, compiled);
    return compiled;
  };
  const paramsPerRow = compile(1).order.length;
  return {
    compile,
    bulk,
    rowsPerStatement(maxBindParameters: number, maxRows = Number.POSITIVE_INFINITY): number {
      if (!(maxBindParameters > 0) || !(maxRows > 0)) {
        throw new RangeError(
          `rowsPerStatement needs positive limits; got maxBindParameters=${maxBindParameters}, maxRows=${maxRows}`,
        );
      }
      const rows = Math.min(Math.floor(maxBindParameters / paramsPerRow), Math.floor(maxRows));
      // Without any finite limit, a statement would grow with the input; cap it at a size every server accepts.
      return Number.isFinite(rows) ? Math.max(1, rows) : DEFAULT_MAX_ROWS;
    },
  };
}

/** Rows per statement when neither the driver nor the caller gives a finite limit. */
const DEFAULT_MAX_ROWS = 1000;

const templateCache = new BoundedCache<string, InsertBatchTemplate | null>(100);

/**
 * Recognises a plain single-row `INSERT INTO table [(columns)] VALUES (…)` and returns
 * a template for multi-row versions of it; `undefined` for any other statement.
 *
 * "Plain" means nothing follows the tuple except whitespace, comments and `;` (which
 * the output drops): no second tuple, `RETURNING`, `ON CONFLICT`, `ON DUPLICATE KEY`
 * or `SELECT`, whose meaning would change if rows were merged. The tuple must contain
 * at least one parameter. Keywords are case-insensitive; the table may be quoted and
 * schema-qualified.
 *
 * @example
 * const template = planInsertBatch("insert into t (a, b) values (:a, :b);", "dollar");
 * template?.compile(2).sql // "insert into t (a, b) values ($1, $2), ($3, $4)"
 * template?.rowsPerStatement(65535) // 32767
 */
export function planInsertBatch(
  sql: string,
  style: PlaceholderStyle,
  options?: CompileOptions,
): InsertBatchTemplate | undefined {
  const scan = resolveScanOptions(style, options);
  const key = cacheKey(sql, style, scan);
  const cached = templateCache.get(key);
  if (cached !== undefined) return cached ?? undefined;

  const lexemes = lex(scanSql(sql, scan));
  const shape = findPlainInsert(lexemes);
  const template = shape
    ? createTemplate(
        lexemes
          .slice(0, shape.open)
          .map((lexeme) => lexeme.text)
          .join(""),
        lexemes.slice(shape.open, shape.close + 1),
        style,
        shape.bulk,
      )
    : undefined;
  templateCache.set(key, template ?? null);
  return template;
}
