import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";

/** The package folder: child processes run here so drivers resolve from our dependencies. */
export const packageRoot = path.resolve(import.meta.dirname, "../..");
export const fixturesDir = path.join(packageRoot, "test/fixtures");
export const cliBin = path.resolve(packageRoot, "../cli/dist/bin.js");

export const PG_URL = process.env.SQLBLOCKS_TEST_PG_URL ?? "postgresql+pg://postgres@127.0.0.1:5432/test";
export const MYSQL_URL = process.env.SQLBLOCKS_TEST_MYSQL_URL ?? "mariadb+mysql2://root@127.0.0.1:3306/test";

/** How many fast-check runs a property gets: small by default, `SQLBLOCKS_FUZZ_RUNS` for the long mode. */
export const FUZZ_RUNS = Number(process.env.SQLBLOCKS_FUZZ_RUNS) || 200;


export { requireServer, serverGate, uniqueName } from "@sqlblocks/testkit";


/** A fresh folder for this test file, removed afterwards. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `sqlblocks-rel-${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `url` with one more query parameter. */
export function withQuery(url: string, name: string, value: string): string {
  return `${url}${url.includes("?") ? "&" : "?"}${name}=${encodeURIComponent(value)}`;
}

/** Settles a promise into its rejection reason (or fails when it resolves). */
export async function rejection(promise: Promise<unknown> | (() => unknown)): Promise<unknown> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure, but it succeeded");
}
