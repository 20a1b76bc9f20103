import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
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
  /** The environment that opens the same store in another process. */
  storeEnv: NodeJS.ProcessEnv;
  store: BlockStore;
  server: UiServer;
  /** Every line the server reported (its log). */
  serverLog: string[];
  close(): Promise<void>;
}

/** The stores the page is tested on: the embedded SQLite store and the PostgreSQL store. */
export type StoreKind = "embedded" | "postgres";

/** The PostgreSQL the PostgreSQL store lives in (a schema of its own per fixture). */
export const PG_URL = process.env.SQLBLOCKS_TEST_PG_URL ?? "postgresql+pg://postgres@127.0.0.1:5432/test";

export async function startFixture(options: Omit<UiServerOptions, "store"> & { storeKind?: StoreKind } = {}): Promise<UiFixture> {
  const { storeKind = "embedded", ...serverOptions } = options;
  const home = mkdtempSync(path.join(os.tmpdir(), "sqlblocks-ui-"));
  const schema = `ui_e2e_${process.pid}_${randomBytes(3).toString("hex")}`;
  // What another process (the demo) needs in its environment to open the same store.
  const storeEnv: NodeJS.ProcessEnv =
    storeKind === "postgres" ? { SQLBLOCKS_HOME: home, SQLBLOCKS_STORE_URL: PG_URL, SQLBLOCKS_STORE_SCHEMA: schema } : { SQLBLOCKS_HOME: home };
  const store =
    storeKind === "postgres" ? await BlockStore.open({ home, engine: "postgres", url: PG_URL, schema, env: {} }) : await BlockStore.open({ home });
  configureRunHistory({ store });
  const serverLog: string[] = [];
  const server = await startUiServer({
    port: 0,
    ...serverOptions,
    env: { ...process.env, SQLBLOCKS_HOME: home, ...serverOptions.env },
    store,
    onError: (line) => serverLog.push(line),
  });
  return {
    home,
    storeEnv,
    store,
    server,
    serverLog,
    async close() {
      await server.close();
      await flushRunHistory();
      configureRunHistory({ store: undefined });
      if (storeKind === "postgres") await store.db.run(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
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

/** Runs the real demo app (apps/demo) against a store: it saves its block and runs its flow. */
export async function runDemo(storeEnv: NodeJS.ProcessEnv, sqlitePath: string): Promise<string> {
  // apps/demo is not a dependency of this package (the CLI depends on this package and the
  // demo on the CLI): turbo builds it before these tests through packages/ui/turbo.json.
  const demoDir = path.join(import.meta.dirname, "..", "..", "..", "apps", "demo");
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(demoDir, "dist", "index.js")], {
    cwd: demoDir,
    env: { ...process.env, SQLBLOCKS_STORE_URL: "", SQLBLOCKS_STORE_SCHEMA: "", ...storeEnv, SQLITE_DB_PATH: sqlitePath },
  });
  return stdout;
}

/** Where screenshots go: the package's docs folder when SQLBLOCKS_UI_SCREENSHOTS=docs, else a temp folder. */
export function screenshotDir(): string {
  if (process.env.SQLBLOCKS_UI_SCREENSHOTS === "docs") return path.join(import.meta.dirname, "..", "docs", "screenshots");
  return mkdtempSync(path.join(os.tmpdir(), "sqlblocks-ui-shots-"));
}
