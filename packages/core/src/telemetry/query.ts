import { type ScanOptions, scanSql } from "../params/scanner.js";

/** What the instrumentation reads from a statement's text, without its values. */
export interface QueryShape {
  /** `db.query.text`: `:name` parameters as written, every inline literal replaced by `?`, comments dropped. */
  readonly text: string;
  /** `db.query.summary`: operations and the tables they act on, in order (`SELECT users`). */
  readonly summary: string | undefined;
  /** `db.operation.name`: only for a statement with exactly one operation. */
  readonly operation: string | undefined;
  /** `db.collection.name`: only for a statement with one operation on one table. */
  readonly collection: string | undefined;
}

const MAX_SUMMARY = 255;
/** Keywords that start an operation wherever they appear. */
const ALWAYS_OPERATIONS = new Set(["SELECT"]);
/** Keywords that start an operation only at a statement's start (or after `(`, `)`, `;`). */
const LEADING_OPERATIONS = new Set(["INSERT", "UPDATE", "DELETE", "MERGE", "REPLACE", "UPSERT", "CALL", "EXEC", "EXECUTE", "TRUNCATE", "CREATE", "DROP", "ALTER", "WITH"]);
/** Object kinds of DDL whose name is a table-like target. */
const DDL_TARGETS = new Set(["TABLE", "VIEW"]);
/** Words that may sit between CREATE/DROP and the object kind, or between the kind and its name. */
const DDL_NOISE = new Set(["OR", "REPLACE", "TEMP", "TEMPORARY", "UNLOGGED", "IF", "NOT", "EXISTS", "GLOBAL", "LOCAL", "UNIQUE", "MATERIALIZED"]);
/** Words after which a table name follows. */
const TABLE_INTRODUCERS = new Set(["FROM", "JOIN", "INTO", "UPDATE"]);
/** Words that end a FROM list item's alias position. */
const CLAUSE_WORDS = new Set([
  "WHERE", "GROUP", "ORDER", "HAVING", "LIMIT", "OFFSET", "JOIN", "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "NATURAL",
  "ON", "USING", "UNION", "EXCEPT", "INTERSECT", "FOR", "WINDOW", "RETURNING", "SET", "VALUES", "FETCH", "AS", "LATERAL",
]);

type Token =
  | { readonly kind: "word"; readonly text: string; readonly upper: string }
  | { readonly kind: "ident"; readonly text: string }
  | { readonly kind: "punct"; readonly text: string }
  | { readonly kind: "value" };

const WORD = /[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*(?:\.(?:[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*|\*))*/y;
const NUMBER = /(?:0[xX][0-9a-fA-F]+|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)/y;
const PLACEHOLDER = /(?:\$\d+|:\d+|@[A-Za-z_]\w*|\?)/y;
/** Letters that prefix a string literal: E'…', N'…', X'…', B'…', U&'…', Oracle's q'…' and nq'…'. */
const LITERAL_PREFIX = /(?:\b[EeNnXxBbQq]|\b[Nn][Qq]|\b[Uu]&)$/;

function isIdentifierQuote(text: string, scan: ScanOptions): boolean {
  const first = text[0];
  if (first === "`" || first === "[") return true;
  // In MySQL / MariaDB "…" is a string unless ANSI_QUOTES is set; elsewhere it names something.
  return first === '"' && !scan.backslashEscapes;
}

/** Replaces numbers in code by `?`, leaving identifiers (`t1`) and placeholders (`$1`, `:1`) alone. */
function sanitizeCode(code: string, out: string[], tokens: Token[]): void {
  let i = 0;
  let plain = "";
  while (i < code.length) {
    const c = code[i]!;
    WORD.lastIndex = i;
    const word = WORD.exec(code);
    if (word) {
      plain += word[0];
      tokens.push({ kind: "word", text: word[0], upper: word[0].toUpperCase() });
      i += word[0].length;
      continue;
    }
    PLACEHOLDER.lastIndex = i;
    const placeholder = PLACEHOLDER.exec(code);
    if (placeholder) {
      plain += placeholder[0];
      tokens.push({ kind: "value" });
      i += placeholder[0].length;
      continue;
    }
    NUMBER.lastIndex = i;
    const number = NUMBER.exec(code);
    if (number) {
      plain += "?";
      tokens.push({ kind: "value" });
      i += number[0].length;
      continue;
    }
    if (c === "(" || c === ")" || c === "," || c === ";") tokens.push({ kind: "punct", text: c });
    plain += c;
    i++;
  }
  out.push(plain);
}

function tokenize(sql: string, scan: ScanOptions): { text: string; tokens: Token[] } {
  const out: string[] = [];
  const tokens: Token[] = [];
  for (const segment of scanSql(sql, scan)) {
    switch (segment.kind) {
      case "code":
        sanitizeCode(segment.text, out, tokens);
        break;
      case "param":
        out.push(`:${segment.name}`);
        tokens.push({ kind: "value" });
        break;
      case "comment":
        out.push(" ");
        break;
      case "quoted":
        if (isIdentifierQuote(segment.text, scan)) {
          out.push(segment.text);
          tokens.push({ kind: "ident", text: segment.text });
        } else {
          const last = out.length - 1;
          if (last >= 0) out[last] = out[last]!.replace(LITERAL_PREFIX, "");
          out.push("?");
          tokens.push({ kind: "value" });
        }
        break;
    }
  }
  return { text: out.join("").replace(/\s+/g, " ").trim(), tokens };
}

/**
 * The table name at `index`, if one is there. After FROM / JOIN a name followed by `(` is a
 * function (`generate_series(…)`); after INTO or TABLE, `(` opens the column list.
 */
function nameAt(tokens: readonly Token[], index: number, columnListMayFollow = false): string | undefined {
  const token = tokens[index];
  if (!token) return undefined;
  if (token.kind === "ident") return token.text;
  if (token.kind === "word" && !CLAUSE_WORDS.has(token.upper) && (columnListMayFollow || !isPunct(tokens[index + 1], "("))) {
    return token.text;
  }
  return undefined;
}

function isPunct(token: Token | undefined, text: string): boolean {
  return token?.kind === "punct" && token.text === text;
}

function isWord(token: Token | undefined, upper: string): boolean {
  return token?.kind === "word" && token.upper === upper;
}

/**
 * Reads the operations and the tables they act on. It is a shallow reading of the
 * token stream, not a parser: whatever it cannot place is left out of the summary.
 */
function readParts(tokens: readonly Token[]): { parts: string[]; operations: number; tables: string[] } {
  const parts: string[] = [];
  const tables: string[] = [];
  let operations = 0;
  /** For each open parenthesis: whether it holds a query (whose FROM names tables). */
  const parens: boolean[] = [];
  const inQuery = () => parens.length === 0 || parens[parens.length - 1] === true;
  const addTable = (name: string | undefined) => {
    if (name === undefined) return;
    parts.push(name);
    tables.push(name);
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.kind === "punct") {
      if (token.text === "(") parens.push(isWord(tokens[i + 1], "SELECT") || isWord(tokens[i + 1], "WITH"));
      else if (token.text === ")") parens.pop();
      continue;
    }
    if (token.kind !== "word") continue;
    const previous = tokens[i - 1];
    const atStart = previous === undefined || (previous.kind === "punct" && previous.text !== ",");
    const upper = token.upper;
    if (ALWAYS_OPERATIONS.has(upper) || (atStart && LEADING_OPERATIONS.has(upper) && !isPunct(tokens[i + 1], "("))) {
      if (upper === "WITH") continue;
      operations++;
      if (upper === "CREATE" || upper === "DROP" || upper === "ALTER" || upper === "TRUNCATE") {
        let j = i + 1;
        while (tokens[j]?.kind === "word" && DDL_NOISE.has((tokens[j] as { upper: string }).upper)) j++;
        const kind = tokens[j];
        if (kind?.kind === "word" && (DDL_TARGETS.has(kind.upper) || upper === "TRUNCATE")) {
          const named = upper === "TRUNCATE" && !DDL_TARGETS.has(kind.upper);
          if (!named) parts.push(`${upper} ${kind.upper}`);
          else parts.push(upper);
          let k = named ? j : j + 1;
          while (tokens[k]?.kind === "word" && DDL_NOISE.has((tokens[k] as { upper: string }).upper)) k++;
          addTable(nameAt(tokens, k, true));
          i = k;
        } else {
          parts.push(kind?.kind === "word" ? `${upper} ${kind.upper}` : upper);
          i = j;
        }
        continue;
      }
      parts.push(upper);
      if (upper === "UPDATE") {
        addTable(nameAt(tokens, i + 1));
        i++;
      }
      continue;
    }
    if (TABLE_INTRODUCERS.has(upper) && upper !== "UPDATE" && inQuery()) {
      const name = nameAt(tokens, i + 1, upper === "INTO");
      if (name === undefined) continue;
      addTable(name);
      i++;
      if (upper !== "FROM") continue;
      // FROM a [AS] x, b y: comma-separated tables.
      for (;;) {
        let k = i + 1;
        if (isWord(tokens[k], "AS")) k++;
        if (nameAt(tokens, k) !== undefined) k++;
        if (!isPunct(tokens[k], ",")) break;
        const next = nameAt(tokens, k + 1);
        if (next === undefined) break;
        addTable(next);
        i = k + 1;
      }
    }
  }
  return { parts, operations, tables };
}

function truncate(summary: string): string {
  return summary.length <= MAX_SUMMARY ? summary : summary.slice(0, MAX_SUMMARY);
}

/**
 * Reads a statement's shape for its span: the sanitized text, a summary, and the operation
 * and table when there is exactly one of each. `batch` marks an executeMany call.
 *
 * @example
 * analyzeQuery("SELECT * FROM users WHERE id = :id AND kind = 'admin'", scan)
 * // { text: "SELECT * FROM users WHERE id = :id AND kind = ?", summary: "SELECT users",
 * //   operation: "SELECT", collection: "users" }
 */
export function analyzeQuery(sql: string, scan: ScanOptions, batch = false): QueryShape {
  const { text, tokens } = tokenize(sql, scan);
  const { parts, operations, tables } = readParts(tokens);
  const single = operations === 1;
  const first = single ? parts[0] : undefined;
  const operation = first !== undefined && first !== tables[0] ? first : undefined;
  const collection = single && new Set(tables).size === 1 && tables.length === 1 ? tables[0] : undefined;
  const prefix = batch ? "BATCH " : "";
  return {
    text,
    summary: parts.length > 0 ? truncate(prefix + parts.join(" ")) : undefined,
    operation: operation === undefined ? undefined : prefix + operation,
    collection,
  };
}
