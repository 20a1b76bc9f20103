import { InvalidBlockNameError } from "../errors.js";

const NAME_RULE = /^[a-z0-9][a-z0-9_-]{0,127}$/;

/** A name that follows the rule, made from one that does not (or undefined if none fits). */
export function suggestBlockName(name: string): string | undefined {
  const suggestion = String(name)
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^[^a-z0-9]+/, "")
    .slice(0, 128)
    .replace(/-+$/, "");
  return NAME_RULE.test(suggestion) ? suggestion : undefined;
}

/**
 * Checks a block name: lowercase letters, digits, `-` and `_`, 1–128 characters, starting
 * with a letter or digit.
 *
 * @throws {InvalidBlockNameError} stating the rule and suggesting a valid name
 */
export function assertValidBlockName(name: unknown): asserts name is string {
  if (typeof name === "string" && NAME_RULE.test(name)) return;
  const text = typeof name === "string" ? name : String(name);
  throw new InvalidBlockNameError(text, suggestBlockName(text));
}
