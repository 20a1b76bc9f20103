import { mkdirSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { parseConnectionUrl, SqlConnector } from "@sqlblocks/core";
import { configureRunLogging, flow, flushRunHistory, getRunContext, getRunLogger, task } from "@sqlblocks/flow";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, openView, PG_URL, runDemo, screenshotDir, startFixture, type UiFixture, visibleText } from "./helpers.js";

const CANARY = "E2e-Canary-Pw-51c0!";
const XSS_SCRIPT = "<script>window.__xss = 1</script>";
const XSS_IMG = '"><img src=x onerror="window.__xss = 2">';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const storeKind of ["embedded", "postgres"] as const) {
  describe(`the web page in Chromium (${storeKind} store)`, () => {
    let fx: UiFixture;
    let browser: Awaited<ReturnType<typeof launchBrowser>>;
    let context: BrowserContext;
    let page: Page;
    const problems: string[] = [];
    // The README's screenshots come from the embedded store's run.
    const shots = storeKind === "embedded" ? screenshotDir() : mkdtempSync(path.join(os.tmpdir(), "sqlblocks-ui-shots-"));
    const shot = (name: string, fullPage = false) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage });

    beforeAll(async () => {
      configureRunLogging({ console: new Writable({ write: (_chunk, _encoding, callback) => callback() }) });
      mkdirSync(shots, { recursive: true });
      fx = await startFixture({ storeKind });
      browser = await launchBrowser();
      context = browser.context;
      page = context.pages()[0] ?? (await context.newPage());
      page.setDefaultTimeout(10_000);
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(`console: ${message.text()}`);
      });
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await fx?.close();
    });

    const text = (selector: string) => visibleText(page, selector);
    const go = (hash: string) => openView(page, hash);

    it("runs the demo and shows its block and run on the first page", async () => {
      const demo = await runDemo(fx.storeEnv, path.join(fx.home, "demo.db"));
      expect(demo).toContain("Fetched Data:");
      await page.goto(fx.server.url);
      await page.locator("#runs tbody tr").first().waitFor();
      expect(await text("#runs tbody")).toContain("quickstart");
      const fcp = await page.evaluate(() => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? -1);
      expect(fcp).toBeGreaterThan(0);
      expect(fcp).toBeLessThan(1000);
      await page.locator("#run-chart svg rect").first().waitFor();
      await go("#/blocks");
      await page.locator('#blocks [data-block="my-sqlite-block"]').waitFor();
      await page.click('#blocks a:text("my-sqlite-block")');
      await page.locator("#test-block").click();
      await page.locator("#test-result.ok").waitFor();
      expect(await text("#test-result")).toMatch(/^Connected: \d+\.\d ms/);
    });

    it("creates a block from the generated form, masks its password, and tests it", async () => {
      const target = parseConnectionUrl(PG_URL);
      await go("#/types");
      await page.locator('[data-type="sql-connector"]').waitFor();
      const catalog = await text('[data-type="sql-connector"]');
      expect(catalog).toMatch(/connectionInfo\.password\s+string \(secret\)\s+\S+/);
      expect(catalog).toMatch(/fetchSize\s+integer\s+Rows fetchMany returns/);
      await go("#/blocks/new");
      await page.locator("#block-form").waitFor();
      // A bad name and a bad port show validation messages next to their fields.
      await page.fill("#block-name-input", "Warehouse DB");
      await page.check('input[data-variant="Components"]');
      await page.fill('[name="connectionInfo.driver"]', "postgresql+pg");
      await page.fill('[name="connectionInfo.port"]', "99999");
      await page.click("#save-block");
      await page.locator('[data-error-for="name"]:not(:empty)').waitFor();
      expect(await text('[data-error-for="name"]')).toMatch(/lowercase/i);
      await page.fill("#block-name-input", "warehouse");
      await page.click("#save-block");
      await page.locator('[data-error-for="connectionInfo.port"]:not(:empty)').waitFor();
      expect(await text('[data-error-for="connectionInfo.port"]')).toMatch(/port "99999" is out of range/);
      await page.fill('[name="connectionInfo.host"]', target.host ?? "127.0.0.1");
      await page.fill('[name="connectionInfo.port"]', String(target.port ?? 5432));
      await page.fill('[name="connectionInfo.database"]', target.database ?? "test");
      await page.fill('[name="connectionInfo.username"]', target.username ?? "postgres");
      await page.fill('[name="connectionInfo.password"]', CANARY);
      await shot("block-form");
      await page.click("#save-block");
      await page.locator("#block-name:text('warehouse')").waitFor();
      expect(await text('#block-data [data-path="connectionInfo.password"]')).toBe("********");
      expect(await text("#block-url")).toContain("postgres:********@");
      await page.click("#test-block");
      await page.locator("#test-result.ok").waitFor({ timeout: 15_000 });
      expect(await text("#test-result")).toMatch(/^Connected: \d+\.\d ms/);
      await shot("block-detail");
      expect(await page.content()).not.toContain(CANARY);
    });

    it("edits the block without retyping the password, and it still connects", async () => {
      await page.click("#edit-block");
      await page.locator("#block-form").waitFor();
      expect(await page.inputValue('[name="connectionInfo.password"]')).toBe("");
      expect(await page.getAttribute('[name="connectionInfo.password"]', "placeholder")).toMatch(/leave empty to keep/);
      await page.fill('[name="fetchSize"]', "25");
      await page.click("#save-block");
      await page.locator('#block-data [data-path="fetchSize"]:text("25")').waitFor();
      await page.click("#test-block");
      await page.locator("#test-result.ok").waitFor({ timeout: 15_000 });
      const stored = await SqlConnector.load("warehouse", { store: fx.store });
      expect(stored.components.password?.reveal()).toBe(CANARY);
      expect(stored.fetchSize).toBe(25);
    });

    it("opens the demo run: tasks on a timeline, statements with durations and rows, logs", async () => {
      await go("#/runs");
      await page.click('#runs a:text("quickstart")');
      await page.locator("#timeline [data-task]").first().waitFor();
      const tasks = await page.locator("#timeline [data-task]").evaluateAll((lanes) => lanes.map((lane) => lane.getAttribute("data-task")));
      expect(tasks).toEqual(["setupTable", "fetchData"]);
      const statements = await text("#statements tbody");
      expect(statements).toContain("CREATE TABLE IF NOT EXISTS customers");
      expect(statements).toContain("SELECT * FROM customers");
      expect(statements).toMatch(/\d+(\.\d)? ms/);
      expect(await text("#logs")).toContain("fetched a page of 2 rows");
      expect(await text("#run-state")).toBe("COMPLETED");
      // The demo's flow takes its block's name; an in-process run has no Cancel / Resume.
      expect(JSON.parse(await text("#run-parameters"))).toEqual(["my-sqlite-block"]);
      await page.locator("#durable-none").waitFor();
      expect(await text("#durable-none")).toMatch(/^Cancel and Resume apply only to durable runs/);
      expect(await page.locator("#cancel-run, #resume-run").count()).toBe(0);
      await shot("run-page", true);
    });

    it("shows new log lines of a RUNNING flow without reloading, with a level filter and retries", async () => {
      let runId = "";
      const flaky = task({ name: "flaky-step", retries: 2, retryDelayMs: 200 }, async () => {
        if (getRunContext().attempt < 3) throw new Error("not yet");
      });
      const tick = task("tick", async (n: number) => {
        (n === 3 ? getRunLogger().warning : getRunLogger().info)(`tick ${n}`);
        await sleep(350);
      });
      const slow = flow({ name: "slow-ticker", tags: ["slow"] }, async () => {
        runId = getRunContext().runId;
        await flaky();
        for (let n = 1; n <= 10; n++) await tick(n);
      });
      const running = slow();
      while (!runId) await sleep(20);
      await flushRunHistory();
      await go(`#/runs/${runId}`);
      await page.locator("#logs .line").first().waitFor();
      await page.evaluate(() => {
        (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
      });
      expect(await text("#run-state")).toBe("RUNNING");
      await page.locator('#logs .msg:text-is("tick 6")').waitFor({ timeout: 10_000 });
      await shot("run-live", true);
      await running;
      await page.locator('#run-state :text("COMPLETED")').waitFor({ timeout: 10_000 });
      await page.locator('#logs .msg:text-is("tick 10")').waitFor();
      expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
      expect(await page.getAttribute('[data-task="flaky-step"]', "data-attempts")).toBe("3");
      expect(await text('[data-task="flaky-step"] .retries')).toBe("3 attempts");
      await page.selectOption("#log-level", "WARNING");
      const shown = await page.locator("#logs .line").evaluateAll((lines) => lines.map((line) => line.getAttribute("data-level")));
      expect(shown.length).toBeGreaterThan(0);
      expect(shown.every((level) => level === "WARNING" || level === "ERROR" || level === "CRITICAL")).toBe(true);
      expect(await text("#logs")).toContain("tick 3");
      expect(await text("#logs")).not.toContain("tick 4");
      // Logs of one task run only.
      await page.selectOption("#log-level", "DEBUG");
      const flakyId = await page.locator("#log-task option", { hasText: "flaky-step" }).getAttribute("value");
      await page.selectOption("#log-task", flakyId!);
      const who = await page.locator("#logs .line .who").allInnerTexts();
      expect(who.length).toBeGreaterThan(0);
      expect(new Set(who)).toEqual(new Set(["flaky-step"]));
    });

    it("filters the run list by state and by tag", async () => {
      const failing = flow({ name: "nightly-load", tags: ["nightly"] }, async () => {
        throw new Error("the warehouse was closed");
      });
      for (let i = 0; i < 2; i++) await failing().catch(() => undefined);
      await flushRunHistory();
      await go("#/runs");
      await page.locator("#run-filters").waitFor();
      await page.selectOption("#filter-state", "FAILED");
      await page.click("#apply-filters");
      await page.locator('#runs[data-filters="#/runs?state=FAILED"]').waitFor();
      const states = await page.locator("#runs tbody tr").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-state")));
      expect(states).toEqual(["FAILED", "FAILED"]);
      expect(await text("#run-count")).toBe("1–2 of 2");
      await go("#/runs");
      await page.locator("#run-filters").waitFor();
      await page.fill("#filter-tag", "slow");
      await page.click("#apply-filters");
      await page.locator('#runs[data-filters="#/runs?tag=slow"]').waitFor();
      expect(await page.locator("#runs tbody tr").count()).toBe(1);
      expect(await text("#runs tbody")).toContain("slow-ticker");
      await go("#/runs");
      await page.locator("#runs tbody tr").nth(3).waitFor();
      await shot("runs-list");
    });

    it("renders hostile flow names, log lines, tags and errors as text", async () => {
      const hostile = flow({ name: XSS_SCRIPT, tags: [XSS_IMG] }, async (_input: { html: string }) => {
        getRunLogger().info(`${XSS_SCRIPT} ${XSS_IMG}`);
        throw new Error(`${XSS_IMG} ${XSS_SCRIPT}`);
      });
      await hostile({ html: `${XSS_SCRIPT}${XSS_IMG}` }).catch(() => undefined);
      const echo = flow("xss-echo", async (input: { html: string }) => ({ shown: input.html }));
      await echo({ html: `${XSS_IMG}${XSS_SCRIPT}` });
      await flushRunHistory();
      await go("#/runs");
      await page.locator("#runs a").filter({ hasText: XSS_SCRIPT }).waitFor();
      expect(await text("#runs tbody")).toContain(XSS_SCRIPT);
      await page.click(`#runs a >> text=${XSS_SCRIPT}`);
      await page.locator("#run-error").waitFor();
      expect(await text("#run-error")).toContain(XSS_IMG);
      expect(await text("#logs")).toContain(XSS_SCRIPT);
      expect(JSON.parse(await text("#run-parameters"))).toEqual({ html: `${XSS_SCRIPT}${XSS_IMG}` });
      await go("#/runs?flow=xss-echo");
      await page.click('#runs a:text("xss-echo")');
      await page.locator("#run-result-value").waitFor();
      expect(JSON.parse(await text("#run-result-value"))).toEqual({ shown: `${XSS_IMG}${XSS_SCRIPT}` });
      // Block names cannot hold markup; the refusal shows the name back as text.
      await go("#/blocks/new");
      await page.locator("#block-form").waitFor();
      await page.fill("#block-name-input", XSS_IMG);
      await page.fill('[name="connectionInfo.driver"]', "sqlite+better-sqlite3");
      await page.click("#save-block");
      await page.locator('[data-error-for="name"]:not(:empty)').waitFor();
      await go(`#/blocks/sql-connector/${encodeURIComponent(XSS_IMG)}`);
      await page.locator("#page-error").waitFor();
      expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
      expect(await page.locator("#app img, #app script").count()).toBe(0);
    });

    it("deletes the block after confirmation", async () => {
      await go("#/blocks/sql-connector/warehouse");
      await page.locator("#delete-block").waitFor();
      page.once("dialog", (dialog) => void dialog.dismiss());
      await page.click("#delete-block");
      await sleep(200);
      expect((await fx.store.listDocuments()).some((d) => d.name === "warehouse")).toBe(true);
      page.once("dialog", (dialog) => void dialog.accept());
      await page.click("#delete-block");
      await page.waitForFunction(() => location.hash === "#/blocks");
      await page.locator("#blocks").waitFor();
      expect(await text("#blocks")).not.toContain("warehouse");
      expect((await fx.store.listDocuments()).some((d) => d.name === "warehouse")).toBe(false);
      await shot("blocks-list");
    });

    it("had no script errors or CSP violations, and never sent the password", async () => {
      expect(problems.filter((line) => !/status of 40\d/.test(line))).toEqual([]);
      expect(fx.serverLog.join("\n")).not.toContain(CANARY);
    });
  });
}
