import { InvalidParametersError, MissingParametersError } from "../errors.js";
import { BoundedCache } from "./cache.js";
import { type CompileOptions, cacheKey, resolveScanOptions } from "./options.js";
import { type PlaceholderStyle, PlaceholderWriter } from "./placeholders.js";
import { scanSql } from "./scanner.js";

/** SQL with `:name` parameters rewritten to a driver's positional placeholders. */
export interface CompiledSql {
  /** The SQL to send to the driver. */
  readonly sql: string;
  /** The parameter name bound to each positional value, in order. */
  readonly order: readonly string[];
  /** The distinct parameter names, in first-use order. */
  readonly names: readonly string[];
}

/** Statements longer than this are compiled every time rather than kept in memory. */
const MAX_CACHED_SQL_LENGTH = 100_000;
const compiledCache = new BoundedCache<string, CompiledSql>(500);
const EMPTY: readonly string[] = Object.freeze([]);

/**
 * Rewrites `:name` parameters to the placeholders of `style`.
 *
 * Colons inside string literals, quoted identifiers, dollar-quoted strings and
 * comments are left alone; `::` is a cast; `\:` is a literal colon; `:=` and `:1`
 * are not parameters. Results are memoised, because a program runs the same
 * statements over and over.
 *
 * @example
 * compileSql("select * from t where a = :a or b = :a and c = :c", "dollar")
 * // { sql: "select * from t where a = $1 or b = $1 and c = $2", order: ["a", "c"], names: ["a", "c"] }
 */
export function compileSql(sql: string, style: PlaceholderStyle, options?: CompileOptions): CompiledSql {
  // Nothing to rewrite and nothing to unescape: the common case costs one scan.
  if (!sql.includes(":")) return Object.freeze({ sql, order: EMPTY, names: EMPTY });
  const scan = resolveScanOptions(style, options);
  const key = cacheKey(sql, style, scan);
  const cached = compiledCache.get(key);
  if (cached) return cached;

  const writer = new PlaceholderWriter(style);
  let out = "";
  for (const segment of scanSql(sql, scan)) {
    out += segment.kind === "param" ? writer.next(segment.name) : segment.text;
  }
  const compiled: CompiledSql = Object.freeze({
    sql: out,
    order: Object.freeze(writer.order),
    names: Object.freeze(writer.names),
  });
  if (sql.length <= MAX_CACHED_SQL_LENGTH) compiledCache.set(key, compiled);
  return compiled;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value !== "object") return `a ${typeof value}`;
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === "string" && name !== "" ? `a ${name}` : "an object that is not a plain object";
}

/** A `{}` literal or `Object.create(null)`, also from another realm; not a Map, Date or class instance. */
function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  // This realm's Object.prototype answers without a second look up the chain (the common case, `{ id }`).
  if (proto !== Object.prototype && proto !== null && Object.getPrototypeOf(proto) !== null) return false;
  return Object.prototype.toString.call(value) === "[object Object]";
}

/**
 * The positional values for a compiled statement, taken from an object of named values.
 *
 * A name whose value is `undefined` (or absent) is missing; `null` is a value and binds
 * SQL NULL. Keys the SQL does not use are ignored. Only own properties count, so a
 * parameter called `:constructor` is not bound to `Object`.
 *
 * @throws {@link MissingParametersError} listing every missing name, before the database is touched.
 * @throws {@link InvalidParametersError} when parameters are needed and `params` is not a plain object.
 *
 * @example
 * bindParameters(compileSql("select :a, :b, :a", "question"), { a: 1, b: null }) // [1, null, 1]
 */
export function bindParameters(
  compiled: CompiledSql,
  params: Readonly<Record<string, unknown>> | undefined,
): unknown[] {
  if (compiled.order.length === 0) return [];
  if (params === undefined || params === null) throw new MissingParametersError([...compiled.names]);
  if (!isPlainObject(params)) {
    throw new InvalidParametersError(
      `the statement uses ${compiled.names.map((name) => `:${name}`).join(", ")}, so pass an object ` +
        `such as { ${compiled.names[0]}: … }, not ${describe(params)}`,
    );
  }
  const { order } = compiled;
  const values = new Array<unknown>(order.length);
  let complete = true;
  for (let i = 0; i < order.length; i++) {
    const name = order[i]!;
    const value = Object.hasOwn(params, name) ? params[name] : undefined;
    if (value === undefined) complete = false;
    values[i] = value;
  }
  if (!complete) {
    throw new MissingParametersError(compiled.names.filter((name) => !Object.hasOwn(params, name) || params[name] === undefined));
  }
  return values;
}

/**
 * {@link compileSql} and {@link bindParameters} in one call.
 *
 * @example
 * compileNamed("select * from t where id = :id", { id: 7 }, "at-p")
 * // { sql: "select * from t where id = @p0", values: [7] }
 */
export function compileNamed(
  sql: string,
  params: Readonly<Record<string, unknown>> | undefined,
  style: PlaceholderStyle,
  options?: CompileOptions,
): { sql: string; values: unknown[] } {
  const compiled = compileSql(sql, style, options);
  return { sql: compiled.sql, values: bindParameters(compiled, params) };
}
