/**
 * A full disk under the embedded store (issue 17): the store lives on a small tmpfs mounted
 * for this test (root can mount one here), which is then filled to ENOSPC for real.
 *
 * - saving a block fails with a typed StoreError (SqlBlocksError), and loses nothing: every
 *   block saved before loads, unchanged;
 * - once space is freed, the store works again without repair (save, load, integrity_check).
 */
import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BlockStore, isSqlBlocksError, registerDriver, SqlConnector } from "@sqlblocks/core";
import sqlitePlugin from "@sqlblocks/driver-sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const mountPoint = mkdtempSync(path.join(os.tmpdir(), "sqlblocks-rel-diskfull-"));
let mounted = false;

beforeAll(() => {
  registerDriver(sqlitePlugin);
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=3m,mode=0700", "tmpfs", mountPoint]);
  mounted = true;
});

afterAll(() => {
  if (mounted) execFileSync("umount", ["-l", mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

/** Writes a file until the disk is full; returns its path and how many bytes fit. */
function fill(dir: string): { file: string; bytes: number } {
  const file = path.join(dir, "filler.bin");
  const fd = openSync(file, "w");
  const chunk = Buffer.alloc(16 * 1024, 1);
  let bytes = 0;
  try {
    for (;;) bytes += writeSync(fd, chunk);
  } catch (error) {
    expect((error as NodeJS.ErrnoException).code).toBe("ENOSPC");
  } finally {
    closeSync(fd);
  }
  return { file, bytes };
}

const connector = (i: number, padding = 0) =>
  new SqlConnector({ connectionInfo: `sqlite+better-sqlite3:///data/${i}.db`, connectArgs: { note: `block ${i} ${"p".repeat(padding)}` } });

describe("the embedded store on a full disk", () => {
  it("a save fails with a typed StoreError, nothing stored before is lost, and after freeing space it works without repair", { timeout: 60_000 }, async () => {
    const home = path.join(mountPoint, "home");
    let store = await BlockStore.open({ home, env: {} });
    for (let i = 0; i < 20; i++) await connector(i).save(`block-${i}`, { store });
    const before = await Promise.all(Array.from({ length: 20 }, async (_, i) => JSON.stringify((await SqlConnector.load(`block-${i}`, { store })).toJSON())));

    const { file, bytes } = fill(mountPoint);
    expect(bytes).toBeGreaterThan(0);
    const failures: unknown[] = [];
    // Bigger and bigger documents until one does not fit (the first may fit in free pages).
    for (let i = 0; i < 8 && failures.length === 0; i++) {
      await connector(100 + i, 64 * 1024 * (i + 1))
        .save(`big-${i}`, { store })
        .catch((error: unknown) => failures.push(error));
    }
    expect(failures).toHaveLength(1);
    const [error] = failures;
    expect(isSqlBlocksError(error), String(error)).toBe(true);
    expect((error as { code: string }).code).toMatch(/STORE/);
    expect((error as Error).message).toMatch(/disk is full/i);
    console.log(`[disk-full] ${(error as Error).name} ${(error as { code: string }).code}: ${(error as Error).message}`);

    // Nothing stored before is lost, even while the disk is full.
    for (let i = 0; i < 20; i++) expect(JSON.stringify((await SqlConnector.load(`block-${i}`, { store })).toJSON())).toBe(before[i]);

    // Free the space: the same store object works, and so does a fresh one.
    rmSync(file);
    await connector(200).save("after", { store });
    await store.close();
    store = await BlockStore.open({ home, env: {} });
    try {
      expect(JSON.parse(JSON.stringify((await SqlConnector.load("after", { store })).toJSON())).connectArgs.note).toBe("block 200 ");
      for (let i = 0; i < 20; i++) expect(JSON.stringify((await SqlConnector.load(`block-${i}`, { store })).toJSON())).toBe(before[i]);
      expect(await store.db.all("PRAGMA integrity_check")).toEqual([{ integrity_check: "ok" }]);
    } finally {
      await store.close();
    }
  });
});
