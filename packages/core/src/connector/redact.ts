import { maskUrlPasswords } from "../url/index.js";
import { MASK } from "../secret/secret.js";

/**
 * Removes known secret values and URL passwords from text that may reach a user:
 * error messages from drivers, mostly.
 */
export class Redactor {
  readonly #secrets: string[];

  constructor(secrets: Iterable<string | undefined>) {
    this.#secrets = [...new Set([...secrets].filter((s): s is string => typeof s === "string" && s.length > 0))].sort(
      (a, b) => b.length - a.length,
    );
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

  /** Redacts an error's message (and its causes') in place, so no copy leaks the secret. */
  scrub(error: unknown, depth = 0): void {
    if (depth > 5 || typeof error !== "object" || error === null) return;
    const candidate = error as { message?: unknown; stack?: unknown; cause?: unknown };
    try {
      if (typeof candidate.message === "string") candidate.message = this.redact(candidate.message);
      if (typeof candidate.stack === "string") candidate.stack = this.redact(candidate.stack);
    } catch {
      // Frozen or read-only errors keep their text; ours never copies it.
    }
    this.scrub(candidate.cause, depth + 1);
  }
}
