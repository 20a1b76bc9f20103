import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { BlockStore } from "@sqlblocks/core";
import { configureRunHistory, flushRunHistory } from "@sqlblocks/flow";
import { type BrowserContext, chromium } from "playwright-core";
import { startUiServer, type UiServer, type UiServerOptions } from "../src/index.js";

/** The browser the tests drive: Debian's Chromium, never a downloaded one. */
export const CHROMIUM = process.env.SQLBLOCKS_CHROMIUM ?? "/usr/bin/chromium";

/** The flags the end-to-end tests launch Chromium with. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];

/** A temporary `$SQLBLOCKS_HOME` with its own store, the UI server over it, and cleanup. */
export interface UiFixture {
  home: string;
  store: BlockStore;
  server: UiServer;
  /** Every line the server reported (its log). */
  serverLog: string[];
  close(): Promise<void>;
}

export async function startFixture(options: Omit<UiServerOptions, "store"> = {}): Promise<UiFixture> {
  const home = mkdtempSync(path.join(os.tmpdir(), "sqlblocks-ui-"));
  const store = await BlockStore.open({ home });
  configureRunHistory({ store });
  const serverLog: string[] = [];
  const server = await startUiServer({
    port: 0,
    ...options,
    env: { ...process.env, SQLBLOCKS_HOME: home, ...options.env },
    store,
    onError: (line) => serverLog.push(line),
  });
  return {
    home,
    store,
    server,
    serverLog,
    async close() {
      await server.close();
      await flushRunHistory();
      await store.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Chromium with a new, empty profile. */
export async function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(path.join(os.tmpdir(), "sqlblocks-ui-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 860 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Runs the real demo app (apps/demo) against a store home: it saves its block and runs its flow. */
export async function runDemo(home: string, sqlitePath: string): Promise<string> {
  const demoDir = path.dirname(createRequire(import.meta.url).resolve("@sqlblocks/demo/package.json"));
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(demoDir, "dist", "index.js")], {
    cwd: demoDir,
    env: { ...process.env, SQLBLOCKS_HOME: home, SQLITE_DB_PATH: sqlitePath },
  });
  return stdout;
}

/** Where screenshots go: the package's docs folder when SQLBLOCKS_UI_SCREENSHOTS=docs, else a temp folder. */
export function screenshotDir(): string {
  if (process.env.SQLBLOCKS_UI_SCREENSHOTS === "docs") return path.join(import.meta.dirname, "..", "docs", "screenshots");
  return mkdtempSync(path.join(os.tmpdir(), "sqlblocks-ui-shots-"));
}
