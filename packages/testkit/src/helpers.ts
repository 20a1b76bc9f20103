import { randomBytes } from "node:crypto";

/** A table name no other test run uses (lowercase letters, digits, `_`). */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(3).toString("hex")}`;
}

/** Rows with lowercase keys: Oracle returns unquoted column names in upper case. */
export function lowerKeys<T extends Record<string, unknown>>(row: T | undefined): Record<string, unknown> | undefined {
  if (!row) return undefined;
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [key.toLowerCase(), value]));
}

/**
 * Whether a missing server fails the run (CI) or skips it visibly (a developer's machine).
 */
export function requireServer(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === "true" || env.SQLBLOCKS_REQUIRE_SERVERS === "true";
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
