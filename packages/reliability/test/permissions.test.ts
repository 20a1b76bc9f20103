/**
 * File permissions of the embedded store (issue 17), created under the usual umask 022 in a
 * child process: the folder 0700 and the key file 0600; the database and its -wal / -shm
 * files 0600 too (known gap, see below).
 */
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runFixture } from "./support/child.js";
import { tempDir } from "./support/env.js";

const root = tempDir("modes");
let modes: Record<string, number>;

beforeAll(async () => {
  const result = await runFixture("store-modes.mjs", [path.join(root, "store")]);
  expect(result.code, result.stderr).toBe(0);
  modes = JSON.parse(result.stdout.trim().split("\n").at(-1)!) as Record<string, number>;
  console.log(`[modes] ${Object.entries(modes).map(([f, m]) => `${f} ${m.toString(8)}`).join(", ")}`);
}, 60_000);

describe("store file permissions (umask 022)", () => {
  it("the store folder is 0700 and the key file 0600", () => {
    expect(modes["."]).toBe(0o700);
    expect(modes["encryption.key"]).toBe(0o600);
  });

  // Known gap (store owner): sqlblocks.db, -wal and -shm are created 0644 under umask 022.
  // The folder's 0700 keeps other users out today; remove `.fails` once the files are 0600.
  it("the database and its -wal / -shm files are 0600", () => {
    for (const file of ["sqlblocks.db", "sqlblocks.db-wal", "sqlblocks.db-shm"]) expect(modes[file], file).toBe(0o600);
  });
});
