/**
 * SIGKILL in the middle of block saves (issue 17), 100 times: a child process overwrites one
 * block in a loop and is killed at a random moment; every load afterwards returns a whole
 * document (the old or a newer one, with its secret intact), never an error.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { BlockStore, SqlConnector } from "@sqlblocks/core";
import { describe, expect, it } from "vitest";
import { fixturesDir, packageRoot, tempDir } from "./support/env.js";

const KILLS = 100;
const LANES = 4;

/** Starts the save loop, kills it `afterMs` after its first save; resolves when it is gone. */
function saveThenKill(home: string, from: number, afterMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const { NODE_PATH: _hoisted, ...env } = process.env;
    const child = spawn(process.execPath, [path.join(fixturesDir, "save-loop.mjs"), String(from)], {
      cwd: packageRoot,
      env: { ...env, SQLBLOCKS_HOME: home },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += String(chunk);
    });
    child.stdout.on("data", (chunk) => {
      if (String(chunk).includes("SAVED")) setTimeout(() => child.kill("SIGKILL"), afterMs);
    });
    child.on("error", reject);
    child.on("close", (_code, signal) => (signal === "SIGKILL" ? resolve() : reject(new Error(`save loop ended without the kill: ${stderr}`))));
  });
}

describe("SIGKILL during block saves", () => {
  it(`${KILLS} kills at random moments: every load returns a whole document`, { timeout: 600_000 }, async () => {
    let seen = 0;
    let saved = 0;
    await Promise.all(
      Array.from({ length: LANES }, async (_, lane) => {
        const home = tempDir(`killsave-${lane}`);
        let last = 0;
        // Version 0 exists before the first kill, so "the old document" always exists.
        const seed = await BlockStore.open({ home, env: {} });
        await new SqlConnector({ connectionInfo: { driver: "sqlite+better-sqlite3", database: "doc.db", password: "secret-0" }, connectArgs: { version: 0 } })
          .save("doc", { store: seed })
          .finally(() => seed.close());
        for (let round = 0; round < KILLS / LANES; round++) {
          await saveThenKill(home, last, Math.floor(Math.random() * 60));
          const store = await BlockStore.open({ home, env: {} });
          try {
            const doc = await SqlConnector.load("doc", { store });
            const version = Number((doc.connectArgs as { version?: number }).version);
            // A whole document at least as new as the first save of this round: version and
            // secret belong together.
            expect(version).toBeGreaterThan(last);
            expect((doc.connectionInfo as { password?: { reveal(): string } }).password?.reveal()).toBe(`secret-${version}`);
            saved += version - last;
            last = version;
            seen++;
          } finally {
            await store.close();
          }
        }
      }),
    );
    expect(seen).toBe(KILLS);
    // Every round committed at least its first save before the kill.
    expect(saved).toBeGreaterThanOrEqual(KILLS);
    console.log(`[kill-save] ${KILLS} SIGKILLs during saves (${saved} saves committed in all), ${seen} loads afterwards, all whole documents`);
  });
});
