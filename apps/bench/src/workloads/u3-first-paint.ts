import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startUiServer } from "@sqlblocks/ui";
import { chromium } from "playwright-core";
import type { Workload } from "./types.js";
import { seedWebStore } from "./u1-web-page.js";

const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];

/**
 * U3: the first page's first contentful paint, read from Chromium's performance timing
 * (`first-contentful-paint`), over the same store as U1 (10,000 runs, 100 blocks in the full
 * run); the slowest of five loads after a first one.
 */
export const webFirstPaintWorkload: Workload = {
  id: "U3",
  title: "web page: first contentful paint (slowest of 5)",
  unit: "ops",
  databases: ["sqlite"],
  targetLatencyMs: 1000,
  variants: ["sqlblocks"],
  async prepare() {},
  async run(_variant, context) {
    const home = mkdtempSync(path.join(os.tmpdir(), "sqlblocks-bench-fcp-"));
    const { store } = await seedWebStore(home, context.sizes);
    const profile = mkdtempSync(path.join(os.tmpdir(), "sqlblocks-bench-chromium-"));
    try {
      const server = await startUiServer({ port: 0, store, env: { SQLBLOCKS_HOME: home } });
      const browser = await chromium.launchPersistentContext(profile, {
        executablePath: process.env.SQLBLOCKS_CHROMIUM ?? "/usr/bin/chromium",
        headless: true,
        args: CHROMIUM_ARGS,
      });
      try {
        const paints: number[] = [];
        for (let i = 0; i < 6; i++) {
          const page = await browser.newPage();
          await page.goto(server.url);
          await page.locator("#runs tbody tr").first().waitFor();
          const fcp = await page.evaluate(() => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? Number.NaN);
          await page.close();
          if (i > 0) paints.push(fcp); // the first load also starts the browser's own services
        }
        const worst = Math.max(...paints);
        if (!Number.isFinite(worst)) throw new Error("Chromium reported no first-contentful-paint");
        process.stderr.write(`U3 first contentful paint: ${paints.map((p) => p.toFixed(0)).join(", ")} ms\n`);
        return { count: 1, ms: worst };
      } finally {
        await browser.close();
        await server.close();
      }
    } finally {
      await store.close();
      rmSync(home, { recursive: true, force: true });
      rmSync(profile, { recursive: true, force: true });
    }
  },
};
