import { inspect } from "node:util";
import { expect } from "vitest";

/**
 * The canaries: distinctive secrets with URL-special characters, so that their
 * percent-encoded forms must stay hidden too. Every one contains {@link CANARY_CORE}, which
 * survives any encoding that keeps letters, digits and `-`, so a partial leak is caught.
 */
export const CANARY_CORE = "Canary-7e4f";
export const PASSWORD_CANARY = `${CANARY_CORE}-pw!@:/%?#&=+ x`;
export const URL_PASSWORD_CANARY = `${CANARY_CORE}-url!@:/%?#&=+ y`;
export const SSL_KEY_CANARY = `-----BEGIN PRIVATE KEY-----\n${CANARY_CORE}-key!@:/%\n-----END PRIVATE KEY-----`;
export const CANARIES = [PASSWORD_CANARY, URL_PASSWORD_CANARY, SSL_KEY_CANARY] as const;

/** Every spelling of a canary we look for. */
function spellings(canary: string): string[] {
  return [
    canary,
    encodeURIComponent(canary),
    encodeURI(canary),
    encodeURIComponent(canary).replaceAll("%20", "+"),
    JSON.stringify(canary).slice(1, -1),
    Buffer.from(canary).toString("base64"),
    Buffer.from(canary).toString("base64url"),
    Buffer.from(canary).toString("hex"),
  ];
}

const NEEDLES = [...new Set([CANARY_CORE, ...CANARIES.flatMap(spellings)])];
const BYTE_NEEDLES = NEEDLES.flatMap((needle) => [Buffer.from(needle, "utf8"), Buffer.from(needle, "utf16le")]);

/** A connection URL whose password is {@link URL_PASSWORD_CANARY}, percent-encoded. */
export function canaryUrl(base: string): string {
  return base.replace("://", `://${encodeURIComponent("app")}:${encodeURIComponent(URL_PASSWORD_CANARY)}@`);
}

/** Every way people print a value. */
export function renderings(value: unknown): string {
  return [
    safe(() => JSON.stringify(value)),
    safe(() => JSON.stringify(value, null, 2)),
    safe(() => String(value)),
    safe(() => `${value as string}`),
    inspect(value),
    inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: true, getters: true }),
    inspect(value, { depth: Number.POSITIVE_INFINITY, customInspect: false, showHidden: true }),
  ].join("\n");
}

/** An error as a user may see it: message, stack, inspect, JSON, and its whole cause chain. */
export function errorRenderings(error: unknown): string {
  const parts: string[] = [renderings(error)];
  let current: unknown = error;
  for (let depth = 0; depth < 10 && current instanceof Error; depth++) {
    parts.push(current.message, current.stack ?? "", renderings(current));
    current = current.cause;
  }
  if (error instanceof AggregateError) parts.push(...error.errors.map(errorRenderings));
  return parts.join("\n");
}

function safe(fn: () => unknown): string {
  try {
    return String(fn());
  } catch (error) {
    return `<threw ${(error as Error).name}>`;
  }
}

/**
 * Records canary probes: each names one place a secret could leak, and every text or byte
 * buffer checked there must hold no spelling of any canary.
 */
export class CanaryProbes {
  readonly #probes = new Map<string, number>();
  #hits = 0;
  #needles = NEEDLES;
  #byteNeedles = BYTE_NEEDLES;

  /**
   * Adds a secret made by the test (e.g. a real private key) to what every later check looks
   * for: the whole text, every spelling of it, and each of its lines of 16 characters or more
   * (a PEM body leaks line by line).
   */
  addSecret(secret: string): void {
    const lines = secret.split("\n").filter((line) => line.length >= 16 && !line.startsWith("-----"));
    const added = [secret, ...lines].flatMap(spellings).filter((needle) => needle.length >= 16);
    this.#needles = [...new Set([...this.#needles, ...added])];
    this.#byteNeedles = this.#needles.flatMap((needle) => [Buffer.from(needle, "utf8"), Buffer.from(needle, "utf16le")]);
  }

  /** Checks `content` for every canary spelling; fails the test on a hit. */
  check(probe: string, content: string | Buffer | Uint8Array): void {
    const found =
      typeof content === "string"
        ? this.#needles.filter((needle) => content.includes(needle))
        : this.#byteNeedles.filter((needle) => Buffer.from(content).includes(needle)).map((needle) => needle.toString("latin1"));
    this.#probes.set(probe, (this.#probes.get(probe) ?? 0) + 1);
    this.#hits += found.length;
    expect(found, `canary found in ${probe}`).toEqual([]);
  }

  /** Records a probe that is not a text search (a file mode, a server's view). */
  record(probe: string): void {
    this.#probes.set(probe, (this.#probes.get(probe) ?? 0) + 1);
  }

  get count(): number {
    return this.#probes.size;
  }

  /** The lines a test prints after its run. */
  summary(title: string): string {
    const checks = [...this.#probes.values()].reduce((a, b) => a + b, 0);
    return [
      `[canary] ${title}: ${this.#probes.size} probes, ${checks} texts/buffers checked for ${this.#needles.length} spellings, hits: ${this.#hits}`,
      ...[...this.#probes.entries()].map(([probe, n]) => `[canary]   ${probe} (${n})`),
    ].join("\n");
  }
}
