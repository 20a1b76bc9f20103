import { paramsKey } from "./statement-text.js";
import type { Params } from "./types.js";

/**
 * The key of one (sql, params) result, taken when a fetch starts. The common key, a point
 * lookup's one number or string parameter, is kept as SQL text, parameter name and value:
 * no key text is built unless a map keyed by text needs it ({@link ResultKey.text}, the same
 * text as `resultKey(sql, params)`).
 */
export class ResultKey {
  /** The one scalar parameter's name; `undefined` when the key is {@link ResultKey.value}'s text. */
  readonly name: string | undefined;
  /** The scalar parameter's value, or the parameters' text key. */
  readonly value: unknown;
  #text: string | undefined;

  constructor(
    readonly sql: string,
    params: Params | undefined,
  ) {
    this.name = scalarParameter(params);
    this.value = this.name !== undefined ? (params as Record<string, unknown>)[this.name] : paramsKey(params);
  }

  /** The key as one text. */
  get text(): string {
    this.#text ??=
      this.name !== undefined
        ? `${this.sql}\u0000\u0001${this.name}=${typeof this.value === "number" ? "n" : "s"}${this.value as number | string}`
        : `${this.sql}\u0000${this.value as string}`;
    return this.#text;
  }
}

/** The keys of one SQL text: scalar parameters by name and value, other keys by text. */
interface StatementKeys {
  byName: Map<string, Set<unknown>> | undefined;
  byText: Set<string> | undefined;
}

/**
 * A bounded set of result keys: past `capacity / 2` keys the older half is forgotten at
 * once (dropping one key at a time from the front of a Set gets slower as its table fills
 * with deleted slots).
 */
export class ResultKeySet {
  /**
   * The newer and the older generation. Kept in an array, not in two fields: replacing a
   * field's value would make V8 drop the optimized code of every caller that inlined it.
   */
  readonly #generations: [Map<string, StatementKeys>, Map<string, StatementKeys>] = [new Map(), new Map()];
  #count = 0;
  /**
   * The scalar key (SQL text and parameter name) added last, and its values in the newer
   * and the older generation: a loop of lookups finds its set without two map lookups per
   * generation. Always `#generations[i].get(sql)?.byName?.get(name)` for that key.
   */
  #cachedSql: string | undefined;
  #cachedName: string | undefined;
  readonly #cachedValues: [Set<unknown> | undefined, Set<unknown> | undefined] = [undefined, undefined];

  constructor(readonly capacity: number) {}

  has(key: ResultKey): boolean {
    if (key.name !== undefined && key.name === this.#cachedName && key.sql === this.#cachedSql) {
      const cached = this.#cachedValues;
      return cached[0]?.has(key.value) === true || cached[1]?.has(key.value) === true;
    }
    const generations = this.#generations;
    return contains(generations[0].get(key.sql), key) || contains(generations[1].get(key.sql), key);
  }

  add(key: ResultKey): void {
    if (key.name !== undefined) {
      const cached = key.name === this.#cachedName && key.sql === this.#cachedSql ? this.#cachedValues[0] : undefined;
      (cached ?? this.#scalarValues(key.sql, key.name)).add(key.value);
    } else {
      const keys = this.#statementKeys(key.sql);
      keys.byText ??= new Set();
      keys.byText.add(key.value as string);
    }
    if (++this.#count >= this.capacity / 2) {
      this.#generations[1] = this.#generations[0];
      this.#generations[0] = new Map();
      this.#count = 0;
      this.#cachedValues[1] = this.#cachedValues[0];
      this.#cachedValues[0] = undefined;
    }
  }

  clear(): void {
    this.#generations[0] = new Map();
    this.#generations[1] = new Map();
    this.#count = 0;
    this.#cachedValues[0] = undefined;
    this.#cachedValues[1] = undefined;
  }

  /** The newer generation's keys of `sql`, created when absent. */
  #statementKeys(sql: string): StatementKeys {
    const current = this.#generations[0];
    let keys = current.get(sql);
    if (keys === undefined) {
      keys = { byName: undefined, byText: undefined };
      current.set(sql, keys);
    }
    return keys;
  }

  /** The newer generation's values of one scalar parameter, created when absent; remembered as the cached key. */
  #scalarValues(sql: string, name: string): Set<unknown> {
    const keys = this.#statementKeys(sql);
    keys.byName ??= new Map();
    let values = keys.byName.get(name);
    if (values === undefined) {
      values = new Set();
      keys.byName.set(name, values);
    }
    this.#cachedSql = sql;
    this.#cachedName = name;
    this.#cachedValues[0] = values;
    this.#cachedValues[1] = this.#generations[1].get(sql)?.byName?.get(name);
    return values;
  }
}

function contains(keys: StatementKeys | undefined, key: ResultKey): boolean {
  if (keys === undefined) return false;
  if (key.name !== undefined) return keys.byName?.get(key.name)?.has(key.value) === true;
  return keys.byText?.has(key.value as string) === true;
}

/**
 * The name of the one parameter of `params` when its value is a number or a string (a
 * point lookup); `undefined` for anything else.
 */
function scalarParameter(params: Params | undefined): string | undefined {
  if (params === undefined || params === null || typeof params !== "object" || Array.isArray(params)) return undefined;
  let name: string | undefined;
  for (const key in params) {
    if (!Object.hasOwn(params, key)) continue;
    if (name !== undefined) return undefined;
    name = key;
  }
  if (name === undefined) return undefined;
  const value = (params as Record<string, unknown>)[name];
  return typeof value === "number" || typeof value === "string" ? name : undefined;
}
