import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { BlockStore } from "@sqlblocks/core";
import { configureRunHistory, flushRunHistory } from "@sqlblocks/flow";
import { type BrowserContext, chromium, type Page } from "playwright-core";
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
  // The repository's demo app (not a dependency: the demo already depends on the CLI, which loads this package).
  const demoDir = path.resolve(import.meta.dirname, "../../../apps/demo");
  if (!existsSync(path.join(demoDir, "dist", "index.js"))) {
    throw new Error(`the demo is not built (${demoDir}/dist): run npx pnpm@10 demo or npx pnpm@10 build first`);
  }
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

/** The text a person sees in the first element matching `selector`, trimmed. */
export async function visibleText(page: Page, selector: string): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the text a person sees
  return (await page.locator(selector).innerText()).trim();
}

/**
 * Opens the view at `hash`. The old view is cleared first, so that no wait after this can be
 * satisfied by what was on screen before.
 */
export async function openView(page: Page, hash: string): Promise<void> {
  await page.evaluate((h) => {
    document.getElementById("app")?.replaceChildren();
    if (location.hash === h) window.dispatchEvent(new HashChangeEvent("hashchange"));
    else location.hash = h;
  }, hash);
}
