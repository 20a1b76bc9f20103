import { maskUrlPasswords } from "../url/index.js";
import { MASK } from "../secret/secret.js";

/**
 * Removes known secret values and URL passwords from text that may reach a user:
 * error messages from drivers, mostly.
 */
export class Redactor {
  #secrets: string[];

  constructor(secrets: Iterable<string | undefined>) {
    this.#secrets = [...new Set([...secrets].filter((s): s is string => typeof s === "string" && s.length > 0))].sort(
      (a, b) => b.length - a.length,
    );
  }

  /** Adds a secret learned later (a password a credential provider returned). The last 16 are kept. */
  add(secret: string): void {
    if (secret.length === 0 || this.#secrets.includes(secret)) return;
    this.#secrets = [...this.#secrets.slice(-15), secret].sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = maskUrlPasswords(text);
    for (const secret of this.#secrets) {
      if (out.includes(secret)) out = out.split(secret).join(MASK);
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret && out.includes(encoded)) out = out.split(encoded).join(MASK);
    }
    return out;
  }

  /**
   * Redacts an error's text in place — its message, stack and every other string field
   * (pg's `detail`, `hint`, `where`, …) — and its causes' and aggregated errors', so no
   * copy leaks the secret.
   */
  scrub(error: unknown, depth = 0): void {
    if (depth > 5 || typeof error !== "object" || error === null) return;
    const candidate = error as Record<string, unknown>;
    for (const key of new Set(["message", "stack", ...Object.keys(candidate)])) {
      try {
        const value = candidate[key];
        if (typeof value === "string") candidate[key] = this.redact(value);
      } catch {
        // Frozen or read-only errors keep their text; ours never copies it.
      }
    }
    this.scrub(candidate.cause, depth + 1);
    if (Array.isArray(candidate.errors)) for (const inner of candidate.errors) this.scrub(inner, depth + 1);
  }
}
