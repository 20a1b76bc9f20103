import type { PoolClient } from "pg";

/** How many SQL texts each pool remembers a verdict (or a first sighting) for; past it the memo starts over. */
const MAX_REMEMBERED = 1000;

/** A verdict, or how many times the SQL text was seen before being judged. */
type Memo = boolean | "seen";

const memos = new WeakMap<object, Map<string, Memo>>();

function memoOf(pool: object): Map<string, Memo> {
  let memo = memos.get(pool);
  if (memo === undefined) {
    memo = new Map();
    memos.set(pool, memo);
  }
  return memo;
}

/**
 * Whether a read-only statement returns at most one row, as far as this pool's database
 * says: judged once per SQL text from its plan, on the second time the text is run (a
 * statement run once is never judged: judging costs two round trips). `false` until judged.
 *
 * The verdict only picks how rows are read: a statement judged single-row runs as one
 * plain query (one round trip, like `pool.query`); any other through a portal cursor. Were
 * the verdict ever wrong, every row would still come back, only read at once.
 */
export function judgedSingleRow(pool: object, client: PoolClient, sql: string, values: readonly unknown[]): boolean | Promise<boolean> {
  const memo = memoOf(pool);
  const known = memo.get(sql);
  // Known: answered without a promise (every lookup after the second asks).
  if (typeof known === "boolean") return known;
  if (memo.size >= MAX_REMEMBERED) memo.clear();
  if (known === undefined) {
    memo.set(sql, "seen");
    return false;
  }
  return returnsAtMostOneRow(client, sql, values)
    .catch(() => false)
    .then((verdict) => {
      memo.set(sql, verdict);
      return verdict;
    });
}

/** Records that a statement judged single-row returned more rows after all (its schema changed). */
export function judgedWrong(pool: object, sql: string): void {
  memoOf(pool).set(sql, false);
}

/** The parts of an `EXPLAIN (FORMAT JSON, VERBOSE)` plan node read here. */
interface PlanNode {
  "Node Type": string;
  Strategy?: string;
  Plans?: PlanNode[];
  "Index Name"?: string;
  Schema?: string;
  Alias?: string;
  "Index Cond"?: string;
}

/**
 * Whether the statement's plan returns at most one row: a `Result` without input (no FROM),
 * a plain `Aggregate` (no GROUP BY), or an index scan of a unique index whose every key
 * column the index condition fixes with `=`. Anything else (a scan, a join, `= ANY`, an
 * expression index …) says no.
 */
export async function returnsAtMostOneRow(client: PoolClient, sql: string, values: readonly unknown[]): Promise<boolean> {
  const explained = await client.query<{ "QUERY PLAN": { Plan: PlanNode }[] }>({
    text: `EXPLAIN (FORMAT JSON, VERBOSE) ${sql}`,
    values: [...values],
  });
  const plan = explained.rows[0]?.["QUERY PLAN"][0]?.Plan;
  if (plan === undefined) return false;
  const type = plan["Node Type"];
  if (type === "Result") return plan.Plans === undefined;
  if (type === "Aggregate") return plan.Strategy === "Plain";
  if (type !== "Index Scan" && type !== "Index Only Scan") return false;
  if (plan.Plans !== undefined || !plan["Index Name"] || !plan.Schema || !plan.Alias || !plan["Index Cond"]) return false;
  const fixed = equalityColumns(plan["Index Cond"], plan.Alias);
  if (fixed === undefined) return false;
  const keys = await client.query<{ columns: string[] | null }>({
    text: `SELECT array_agg(a.attname::text) AS columns
             FROM pg_index i
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY ((i.indkey::int2[])[0:i.indnkeyatts - 1])
            WHERE i.indexrelid = $1::regclass AND i.indisunique AND i.indexprs IS NULL`,
    values: [`${quoteIdentifier(plan.Schema)}.${quoteIdentifier(plan["Index Name"])}`],
  });
  const columns = keys.rows[0]?.columns;
  return columns !== null && columns !== undefined && columns.length > 0 && columns.every((column) => fixed.has(column));
}

/**
 * The columns an index condition fixes with `=`: `(t.a = 1)` or `((t.a = 1) AND (t."B" = 'x'::text))`.
 * `undefined` for anything else (OR, `= ANY`, a comparison, a column of another relation).
 */
export function equalityColumns(condition: string, alias: string): Set<string> | undefined {
  const parts = topLevelConjuncts(condition);
  if (parts === undefined) return undefined;
  const prefix = `${quoteIdentifierIfNeeded(alias)}.`;
  const columns = new Set<string>();
  for (const part of parts) {
    const match = /^\((.+?) = (.+)\)$/s.exec(part);
    if (match === null) return undefined;
    const [, left, right] = match as unknown as [string, string, string];
    if (!left.startsWith(prefix) || /\bANY\b|\bALL\b/.test(right) || right.includes(prefix)) return undefined;
    const column = unquote(left.slice(prefix.length));
    if (column === undefined) return undefined;
    columns.add(column);
  }
  return columns;
}

/** `((a) AND (b))` → [`(a)`, `(b)`]; `(a)` → [`(a)`]; undefined when an OR or anything unbalanced shows. */
function topLevelConjuncts(condition: string): string[] | undefined {
  const text = condition.trim();
  if (!text.startsWith("(") || !text.endsWith(")")) return undefined;
  const inner = text.slice(1, -1);
  // One condition: `(t.a = 1)` — its inside has no parenthesised conjuncts.
  if (!inner.startsWith("(")) return [text];
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const char = inner[i]!;
    if (quote !== undefined) {
      // A doubled quote stays inside the literal or name.
      if (char === quote && inner[i + 1] === quote) i++;
      else if (char === quote) quote = undefined;
      continue;
    }
    if (char === "'" || char === '"') quote = char;
    else if (char === "(") depth++;
    else if (char === ")") {
      depth--;
      if (depth < 0) return undefined;
      if (depth === 0) {
        parts.push(inner.slice(start, i + 1).trim());
        const rest = inner.slice(i + 1);
        const joiner = /^\s*AND\s*/.exec(rest);
        if (joiner === null) {
          if (rest.trim() !== "") return undefined;
          break;
        }
        start = i + 1 + joiner[0].length;
        i = start - 1;
      }
    }
  }
  return depth === 0 && quote === undefined && parts.length > 0 ? parts : undefined;
}

function unquote(identifier: string): string | undefined {
  if (/^[a-z_][a-z0-9_$]*$/.test(identifier)) return identifier;
  const quoted = /^"((?:[^"]|"")+)"$/.exec(identifier);
  return quoted ? quoted[1]!.replace(/""/g, '"') : undefined;
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** As PostgreSQL prints a name: bare when it is a plain lower-case identifier. */
function quoteIdentifierIfNeeded(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : quoteIdentifier(name);
}
