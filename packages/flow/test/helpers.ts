import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { closeDefaultStores, getDefaultStore } from "@sqlblocks/core";
import { afterAll } from "vitest";
import { configureRunLogging, flushRunHistory, RunHistory } from "../src/index.js";

/** Points the store at a fresh folder for this test file and removes it afterwards. */
export function useTempHome(prefix: string): string {
  const home = mkdtempSync(path.join(os.tmpdir(), `sqlblocks-${prefix}-`));
  process.env.SQLBLOCKS_HOME = home;
  afterAll(async () => {
    await flushRunHistory();
    await closeDefaultStores();
    rmSync(home, { recursive: true, force: true });
  });
  return home;
}

/** Captures console log lines instead of printing them. */
export function captureConsole(): { lines: string[]; text: () => string; clear: () => void } {
  const lines: string[] = [];
  configureRunLogging({
    console: new Writable({
      write(chunk, _encoding, callback) {
        lines.push(...String(chunk).split("\n").filter(Boolean));
        callback();
      },
    }),
  });
  return { lines, text: () => lines.join("\n"), clear: () => lines.splice(0) };
}

export async function history(): Promise<RunHistory> {
  await flushRunHistory();
  return new RunHistory((await getDefaultStore()).db);
}
