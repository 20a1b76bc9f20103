/**
 * How each database spells a positional parameter, and which value each one binds.
 */

/**
 * The placeholder syntax a driver expects.
 *
 * - `dollar`: `$1`, `$2` (PostgreSQL); a name used twice reuses its number.
 * - `question`: `?` (MySQL, SQLite); a name used twice is bound twice.
 * - `at-p`: `@p0`, `@p1` (SQL Server); a name used twice reuses its `@pN`.
 * - `colon-number`: `:1`, `:2` (Oracle); every occurrence gets its own number.
 */
export type PlaceholderStyle = "dollar" | "question" | "at-p" | "colon-number";

/**
 * Hands out placeholders in statement order and records the name bound to each
 * positional value.
 *
 * Numbering is keyed separately from the name so that a multi-row INSERT can give
 * the same name in different rows different numbers.
 */
export class PlaceholderWriter {
  /** The parameter name bound to each positional value. */
  readonly order: string[] = [];
  readonly #distinctNames = new Set<string>();
  readonly #numberByKey = new Map<string, number>();

  constructor(private readonly style: PlaceholderStyle) {}

  /** The distinct names seen so far, in first-use order. */
  get names(): string[] {
    return [...this.#distinctNames];
  }

  /**
   * The placeholder for the next occurrence of `name`. Occurrences with the same
   * `key` share a value in the styles that can reuse one.
   */
  next(name: string, key: string = name): string {
    this.#distinctNames.add(name);
    switch (this.style) {
      case "question":
        this.order.push(name);
        return "?";
      case "colon-number":
        this.order.push(name);
        return `:${this.order.length}`;
      case "dollar":
        return `$${this.#reuse(name, key) + 1}`;
      case "at-p":
        return `@p${this.#reuse(name, key)}`;
    }
  }

  #reuse(name: string, key: string): number {
    let index = this.#numberByKey.get(key);
    if (index === undefined) {
      index = this.order.length;
      this.order.push(name);
      this.#numberByKey.set(key, index);
    }
    return index;
  }
}
