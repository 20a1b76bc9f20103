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

  constructor(readonly capacity: number) {}

  has(key: ResultKey): boolean {
    const generations = this.#generations;
    return contains(generations[0].get(key.sql), key) || contains(generations[1].get(key.sql), key);
  }

  add(key: ResultKey): void {
    const current = this.#generations[0];
    let keys = current.get(key.sql);
    if (keys === undefined) {
      keys = { byName: undefined, byText: undefined };
      current.set(key.sql, keys);
    }
    if (key.name !== undefined) {
      keys.byName ??= new Map();
      let values = keys.byName.get(key.name);
      if (values === undefined) {
        values = new Set();
        keys.byName.set(key.name, values);
      }
      values.add(key.value);
    } else {
      keys.byText ??= new Set();
      keys.byText.add(key.value as string);
    }
    if (++this.#count >= this.capacity / 2) {
      this.#generations[1] = current;
      this.#generations[0] = new Map();
      this.#count = 0;
    }
  }

  clear(): void {
    this.#generations[0] = new Map();
    this.#generations[1] = new Map();
    this.#count = 0;
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
