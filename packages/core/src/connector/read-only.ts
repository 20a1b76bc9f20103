import type { DialectFacts } from "../driver/contract.js";
import { BoundedCache } from "../params/cache.js";
import { resolveScanOptions } from "../params/options.js";
import { scanSql } from "../params/scanner.js";
import { compileOptions } from "./statement-text.js";

/** Keywords that start a statement which only reads. */
const READING = new Set(["SELECT", "WITH", "VALUES", "SHOW", "TABLE"]);
/** Words that make a reading-looking statement write after all (data-modifying CTEs, SELECT INTO, locks). */
const WRITING = new Set(["INSERT", "UPDATE", "DELETE", "MERGE", "INTO", "CALL", "COPY", "LOCK", "UPSERT", "REPLACE"]);

const cache = new BoundedCache<string, boolean>(500);

/**
 * Whether a statement only reads, judged from its words with the parameter scanner (so
 * strings, quoted identifiers and comments are not mistaken for SQL): it starts with
 * SELECT, WITH, VALUES, SHOW or TABLE, contains no writing word (a data-modifying CTE,
 * `SELECT … INTO`, `FOR UPDATE`) and is one statement. Anything else takes the safe path.
 */
export function isReadOnlyStatement(sql: string, dialect: DialectFacts): boolean {
  const key = `${dialect.placeholderStyle}\u0000${sql}`;
  const known = cache.get(key);
  if (known !== undefined) return known;
  const readOnly = judge(sql, dialect);
  if (sql.length <= 10_000) cache.set(key, readOnly);
  return readOnly;
}

function judge(sql: string, dialect: DialectFacts): boolean {
  const scan = resolveScanOptions(dialect.placeholderStyle, compileOptions(dialect));
  let first = true;
  let ended = false;
  for (const segment of scanSql(sql, scan)) {
    if (segment.kind === "comment") continue;
    if (segment.kind !== "code") {
      if (ended) return false;
      continue;
    }
    let text = segment.text;
    if (ended) {
      if (text.replace(/[;\s]/g, "") !== "") return false;
      continue;
    }
    const semicolon = text.indexOf(";");
    if (semicolon !== -1) {
      // One statement only: after its `;` nothing but blanks, comments and more `;`.
      if (text.slice(semicolon).replace(/[;\s]/g, "") !== "") return false;
      ended = true;
      text = text.slice(0, semicolon);
    }
    for (const word of text.toUpperCase().match(/[A-Z_][A-Z0-9_$]*/g) ?? []) {
      if (first) {
        if (!READING.has(word)) return false;
        first = false;
      } else if (WRITING.has(word)) {
        return false;
      }
    }
  }
  return !first;
}
