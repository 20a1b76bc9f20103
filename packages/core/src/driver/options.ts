import { readFileSync } from "node:fs";
import { InvalidConnectionInfoError } from "../errors.js";

/**
 * Helpers drivers share to read URL query parameters and merge native options, so every
 * driver reads `?encrypt=yes` or `?connect_timeout=10` the same way.
 */

/**
 * URL query keys are matched the way ODBC and SQLAlchemy users write them:
 * `TrustServerCertificate`, `trust_server_certificate` and `trustServerCertificate` are one key.
 */
export function normalizeQueryKey(key: string): string {
  return key.toLowerCase().replace(/[\s_-]/g, "");
}

const TRUE = new Set(["true", "yes", "1", "on"]);
const FALSE = new Set(["false", "no", "0", "off"]);

/** `true`/`yes`/`1`/`on` or `false`/`no`/`0`/`off`, in any case; anything else is an error. */
export function parseBoolean(key: string, value: string): boolean {
  const text = value.trim().toLowerCase();
  if (TRUE.has(text)) return true;
  if (FALSE.has(text)) return false;
  throw new InvalidConnectionInfoError(`URL query parameter ${key}=${JSON.stringify(value)} must be true or false (yes/no, 1/0 also work)`);
}

/** A whole number of at least `min`; anything else is an error. */
export function parseInteger(key: string, value: string, min = 0): number {
  const number = Number(value.trim());
  if (!Number.isSafeInteger(number) || number < min) {
    throw new InvalidConnectionInfoError(`URL query parameter ${key}=${JSON.stringify(value)} must be a whole number of at least ${min}`);
  }
  return number;
}

/** Reads a PEM file named by a URL query parameter (`sslrootcert=/path/ca.pem`); a clear error if it cannot. */
export function readPemFile(key: string, file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new InvalidConnectionInfoError(`URL query parameter ${key}: cannot read ${file}: ${(error as Error).message}`);
  }
}

/** Node socket error codes that mean the connection is gone or could not be made: a retry may work. */
export const TRANSIENT_SOCKET_CODES: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTCONN",
  "EAI_AGAIN",
]);

/** Shallow-merges `extra` into `base`, merging one level deeper for the keys in `nested`. */
export function mergeOptions(
  base: Record<string, unknown>,
  extra: Record<string, unknown> | undefined,
  nested: readonly string[],
): Record<string, unknown> {
  if (!extra) return base;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = merged[key];
    merged[key] =
      nested.includes(key) && isRecord(current) && isRecord(value) ? { ...current, ...value } : value;
  }
  return merged;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
