import type { Row } from "@sqlblocks/core/driver";
import type Database from "better-sqlite3";

export type Statement = Database.Statement<unknown[], Row>;

/** How many prepared statements each connection keeps. */
const STATEMENT_CACHE_SIZE = 200;

/** A prepared statement, kept per connection, and what is known of its result. */
export interface PreparedStatement {
  readonly statement: Statement;
  /**
   * The statement returns at most one row, judged once from its bytecode (see
   * {@link returnsAtMostOneRow}); `undefined` until judged.
   */
  singleRow: boolean | undefined;
}

/** One connection's statements, in least-recently-used order, and the one used last. */
interface StatementCache {
  readonly entries: Map<string, PreparedStatement>;
  lastSql: string | undefined;
  last: PreparedStatement | undefined;
}

const caches = new WeakMap<Database.Database, StatementCache>();

/** The prepared statement for `sql` on `db`: prepared once, the least recently used evicted first. */
export function prepared(db: Database.Database, sql: string): PreparedStatement {
  let cache = caches.get(db);
  if (cache === undefined) {
    cache = { entries: new Map(), lastSql: undefined, last: undefined };
    caches.set(db, cache);
  }
  // The same statement again (a loop of lookups): it is already the most recently used.
  if (sql === cache.lastSql) return cache.last!;
  const { entries } = cache;
  let entry = entries.get(sql);
  if (entry !== undefined) {
    // Refresh its place so the least recently used statement is evicted first.
    entries.delete(sql);
  } else {
    entry = { statement: db.prepare(sql) as Statement, singleRow: undefined };
    if (entries.size >= STATEMENT_CACHE_SIZE) entries.delete(entries.keys().next().value as string);
  }
  entries.set(sql, entry);
  cache.lastSql = sql;
  cache.last = entry;
  return entry;
}

/** The cached statement, unless an open cursor is iterating it: then a fresh one beside it. */
export function statementFor(db: Database.Database, sql: string): Statement {
  const cached = prepared(db, sql).statement;
  return cached.busy ? (db.prepare(sql) as Statement) : cached;
}

/** Opcodes that run part of a program more than once: loops, subroutines, coroutines, triggers. */
const REPEATING = new Set([
  "Next",
  "Prev",
  "VNext",
  "VFilter",
  "SorterNext",
  "SorterSort",
  "Sort",
  "Rewind",
  "Last",
  "Gosub",
  "Return",
  "InitCoroutine",
  "EndCoroutine",
  "Yield",
  "RowSetRead",
  "RowSetTest",
  "Program",
]);

interface Instruction {
  addr: number;
  opcode: string;
  p2: number;
}

/**
 * Whether a query returns at most one row, judged from its bytecode (`EXPLAIN`): exactly
 * one `ResultRow` instruction and nothing that runs instructions again (no loop opcode, no
 * backward `Goto` but the program's closing jump to its start). A lookup by primary key or
 * unique index compiles to such a program; a scan, an `IN` list, a join or a subquery does not.
 *
 * The judgement only picks how rows are read: a statement judged single-row is read with
 * `all()`, any other is iterated. Were it ever wrong, every row would still come back,
 * only read at once. Anything unexpected (EXPLAIN refused) says no.
 *
 * Not `get()`, though it costs a little less (no second step, no array): the verdict holds
 * for the program judged, and SQLite recompiles a prepared statement by itself when the
 * schema changes, on this connection or another one (a unique index dropped, a table
 * redefined). `get()` would then hand out the first of several rows and mark the result
 * read; `all()` sees them all, and the statement is iterated from then on.
 */
export function returnsAtMostOneRow(db: Database.Database, sql: string, values: readonly unknown[]): boolean {
  let program: Instruction[];
  try {
    program = db.prepare(`EXPLAIN ${sql}`).all(...values) as Instruction[];
  } catch {
    return false;
  }
  const last = program.length - 1;
  let results = 0;
  for (let i = 0; i <= last; i++) {
    const { addr, opcode, p2 } = program[i]!;
    if (opcode === "ResultRow") results++;
    else if (REPEATING.has(opcode)) return false;
    else if (opcode === "Goto" && p2 <= addr && !(i === last && p2 === 1)) return false;
  }
  return results === 1;
}
