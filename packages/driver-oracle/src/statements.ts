/**
 * What kind of statement a piece of Oracle SQL is, and its text as the server wants it.
 *
 * Oracle rejects a SQL statement that ends in `;` (ORA-00933/ORA-00911), but a PL/SQL
 * block needs its final `END;`. Scripts written for SQL*Plus end PL/SQL with a `/` line.
 */

/** `query` returns rows, `plsql` is an anonymous block or a stored unit, `other` is DML or DDL. */
export type StatementKind = "query" | "plsql" | "other";

const PLSQL_UNITS = new Set(["PROCEDURE", "FUNCTION", "PACKAGE", "TRIGGER", "TYPE", "LIBRARY", "JAVA"]);
const CREATE_MODIFIERS = new Set(["OR", "REPLACE", "EDITIONABLE", "NONEDITIONABLE", "EDITIONING", "AND", "COMPILE", "RESOLVE", "NOFORCE", "FORCE", "IF", "NOT", "EXISTS"]);

/** The first words of the statement, upper-cased, after leading blanks and comments. */
function leadingWords(sql: string, count: number): string[] {
  const words: string[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n && words.length < count) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      i = end === -1 ? n : end + 1;
    } else if (c === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end === -1 ? n : end + 2;
    } else {
      const match = /^[A-Za-z_][A-Za-z0-9_$#]*/.exec(sql.slice(i, i + 64));
      if (!match) break;
      words.push(match[0].toUpperCase());
      i += match[0].length;
    }
  }
  return words;
}

/** Whether the statement is a query, PL/SQL, or anything else. */
export function statementKind(sql: string): StatementKind {
  const words = leadingWords(sql, 12);
  const first = words[0];
  if (first === "SELECT" || first === "WITH") return "query";
  if (first === "BEGIN" || first === "DECLARE") return "plsql";
  if (first === "CREATE") {
    for (const word of words.slice(1)) {
      if (PLSQL_UNITS.has(word)) return "plsql";
      if (!CREATE_MODIFIERS.has(word)) break;
    }
  }
  return "other";
}

/**
 * The statement as Oracle accepts it: trailing blanks removed; a SQL statement loses its
 * trailing `;`; PL/SQL keeps its `END;` but loses a SQL*Plus `/` line after it.
 *
 * @example
 * oracleStatement("SELECT * FROM dual;") // "SELECT * FROM dual"
 * oracleStatement("BEGIN NULL; END;\n/") // "BEGIN NULL; END;"
 */
export function oracleStatement(sql: string, kind: StatementKind = statementKind(sql)): string {
  let text = sql.trimEnd();
  if (kind === "plsql") {
    if (/\n\s*\/$/.test(text)) text = text.slice(0, -1).trimEnd();
    return text;
  }
  while (text.endsWith(";")) text = text.slice(0, -1).trimEnd();
  return text;
}
