import { inspect } from "node:util";

/** What a secret looks like whenever it is printed, logged or serialised. */
export const MASK = "********";

const SECRET_BRAND = Symbol.for("sqlblocks.secret");
const values = new WeakMap<Secret, string>();

/**
 * A value that never shows itself by accident.
 *
 * `toString()`, `toJSON()`, `util.inspect` and template strings all give `********`;
 * only {@link Secret.reveal} returns the value.
 *
 * @example
 * const password = new Secret("hunter2");
 * `${password}`;        // "********"
 * password.reveal();    // "hunter2"
 */
export class Secret {
  constructor(value: string) {
    if (typeof value !== "string") throw new TypeError("a Secret holds a string");
    values.set(this, value);
    Object.defineProperty(this, SECRET_BRAND, { value: true });
  }

  /** Wraps a string in a Secret; passes a Secret through unchanged. */
  static from(value: string | Secret): Secret {
    return isSecret(value) ? value : new Secret(value);
  }

  /** The secret value. Call it only where the value is actually needed. */
  reveal(): string {
    const value = values.get(this);
    if (value === undefined) throw new TypeError("not a sqlblocks Secret");
    return value;
  }

  /** True when this secret's value is the mask itself, i.e. it came from a masked rendering. */
  get isMasked(): boolean {
    return this.reveal() === MASK;
  }

  toString(): string {
    return MASK;
  }

  toJSON(): string {
    return MASK;
  }

  [Symbol.toPrimitive](): string {
    return MASK;
  }

  [inspect.custom](): string {
    return `Secret(${MASK})`;
  }
}

/** True for a {@link Secret}, including one made by another copy of the package. */
export function isSecret(value: unknown): value is Secret {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[SECRET_BRAND] === true;
}

/** The plain value of a secret or string; `undefined` stays `undefined`. */
export function revealSecret(value: string | Secret | undefined): string | undefined {
  if (value === undefined) return undefined;
  return isSecret(value) ? value.reveal() : value;
}
