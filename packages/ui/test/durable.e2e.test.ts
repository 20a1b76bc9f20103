/**
 * Deployments, workers, trigger-run, Cancel and Resume in Chromium, against the PostgreSQL
 * store with a real worker process (`@sqlblocks/dbos`), in a database of its own.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { closeDefaultStores, getDefaultStore } from "@sqlblocks/core";
import { RunQuery } from "@sqlblocks/flow";
import pg from "pg";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startUiServer, type UiServer } from "../src/index.js";
import { launchBrowser, openView, PG_URL, screenshotDir, visibleText } from "./helpers.js";

const XSS = "<script>window.__xss = 3</script>";
const fixture = (name: string) => path.join(import.meta.dirname, "fixtures", name);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The PostgreSQL server of the tests as a plain `postgresql://` URL. */
function serverUrl(): URL {
  return new URL(PG_URL.replace(/^postgres(ql)?(\+[a-z0-9_]+)?:\/\//i, "postgresql://"));
}

describe("deployments and durable runs in Chromium (PostgreSQL store, a real worker)", () => {
  const server = serverUrl();
  const suffix = `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
  // Named after the test database (t_<name> per engineer), so that parallel test runs never share one.
  const databaseName = `${decodeURIComponent(server.pathname.slice(1)) || "test"}_ui_${suffix}`.slice(0, 63);
  const databaseUrl = new URL(server.href);
  databaseUrl.pathname = `/${databaseName}`;
  const home = mkdtempSync(path.join(os.tmpdir(), "sqlblocks-ui-durable-"));
  const env: Record<string, string> = {
    SQLBLOCKS_HOME: home,
    SQLBLOCKS_STORE_URL: databaseUrl.href,
    SQLBLOCKS_DBOS_DATABASE_URL: databaseUrl.href,
    SQLBLOCKS_DBOS_APP: `ui-${suffix}`,
    SQLBLOCKS_WORKER_HEARTBEAT_MS: "500",
    SQLBLOCKS_WORKER_TAKEOVER_AFTER_MS: "5000",
  };
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  let worker: ChildProcess | undefined;
  let workerOutput = "";
  let ui: UiServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  let runs: RunQuery;
  const problems: string[] = [];
  const answers: string[] = [];
  const shots = screenshotDir();
  const shot = (name: string, fullPage = false) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage });
  const text = (selector: string) => visibleText(page, selector);
  const go = (hash: string) => openView(page, hash);
  const queuedRuns = async () => (await runs.listRuns({ tag: "deployment:greet" })).total;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: server.href });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${databaseName}`);
    } finally {
      await admin.end();
    }
    Object.assign(process.env, env);
    worker = spawn(process.execPath, [fixture("worker.mjs"), fixture("deployments.mjs"), "ui-worker-1"], {
      cwd: path.join(import.meta.dirname, ".."),
      env: { ...process.env, ...env, NODE_NO_WARNINGS: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    worker.stdout!.on("data", (chunk: Buffer) => (workerOutput += chunk.toString()));
    worker.stderr!.on("data", (chunk: Buffer) => (workerOutput += chunk.toString()));
    const deadline = Date.now() + 60_000;
    while (!workerOutput.includes("worker ui-worker-1 started")) {
      if (worker.exitCode !== null || Date.now() > deadline) throw new Error(`the worker did not start:\n${workerOutput}`);
      await sleep(50);
    }
    const store = await getDefaultStore();
    runs = await RunQuery.open(store.db);
    // 4xx answers are the validation the tests provoke; a 5xx is a problem.
    ui = await startUiServer({ port: 0, store, env: process.env, onError: (line) => /-> 5\d\d/.test(line) && problems.push(`server: ${line}`) });
    mkdirSync(shots, { recursive: true });
    browser = await launchBrowser();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.setDefaultTimeout(15_000);
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    // Every API answer the page received, to check that no secret ever reached it.
    page.on("response", (response) => {
      if (response.url().includes("/api/")) void response.text().then((body) => answers.push(body), () => undefined);
    });
    page.on("console", (message) => {
      if (message.type() === "error" && !/status of 4\d\d/.test(message.text())) problems.push(`console: ${message.text()}`);
    });
    await page.goto(ui.url);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await ui?.close();
    if (worker && worker.exitCode === null) {
      const exited = new Promise((resolve) => worker!.once("exit", resolve));
      worker.kill("SIGTERM");
      await Promise.race([exited, sleep(15_000)]);
      if (worker.exitCode === null) worker.kill("SIGKILL");
    }
    await closeDefaultStores();
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    const admin = new pg.Client({ connectionString: server.href });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
    rmSync(home, { recursive: true, force: true });
  }, 60_000);

  it("lists the deployments and the live worker", async () => {
    await go("#/deployments");
    await page.locator('#deployments [data-deployment="greet"]').waitFor();
    const greet = await text('#deployments [data-deployment="greet"]');
    expect(greet).toContain("Greets someone");
    // Name, flow, queue, concurrency, schedule, live workers, last run (none yet).
    expect(greet).toMatch(/greet\s+greet\s+2 per worker\s+–\s+ui-worker-1\s+–\s+Trigger run$/);
    expect(await text('#deployments [data-deployment="nightly"]')).toContain("0 3 * * *");
    expect(await text('#deployments [data-deployment="slow"]')).toMatch(/slow-steps\s+slow\s+1 per worker/);
    await page.locator('#workers [data-worker="ui-worker-1"][data-live="true"]').waitFor();
    expect(await text('#workers [data-worker="ui-worker-1"]')).toMatch(new RegExp(`${os.hostname()} \\(pid \\d+\\)\\s+greet\\s*nightly\\s*slow\\s+.+\\s+live$`));
    await shot("deployments");
  });

  it("refuses bad parameters with a message and enqueues nothing; then triggers a run that COMPLETES with its parameters and result", async () => {
    const before = await queuedRuns();
    await page.click('[data-trigger="greet"]');
    await page.locator("#trigger-form").waitFor();
    // The deployment's default is filled in.
    expect(await page.inputValue('[name="parameters.0.key"]')).toBe("times");
    expect(await page.inputValue('[name="parameters.0.value"]')).toBe("2");
    // A secret default is shown masked, and left as it is the deployment's own value applies.
    expect(await page.inputValue('[name="parameters.1.key"]')).toBe("apiToken");
    expect(await page.inputValue('[name="parameters.1.value"]')).toBe("********");
    await page.click("#add-param");
    await page.fill('[name="parameters.2.key"]', "name");
    await page.fill('[name="parameters.2.value"]', XSS);
    await page.click("#add-param");
    await page.fill('[name="parameters.3.key"]', "tags");
    await page.fill('[name="parameters.3.value"]', '["a", "b"');
    await page.click("#trigger-run");
    await page.locator('[data-error-for="parameters.3.value"]:not(:empty)').waitFor();
    expect(await text('[data-error-for="parameters.3.value"]')).toBe('tags: "[\\"a\\", \\"b\\"" looks like JSON but does not parse');
    await shot("trigger-run");
    await page.fill('[name="parameters.3.key"]', "name");
    await page.fill('[name="parameters.3.value"]', "again");
    await page.click("#trigger-run");
    await page.locator('[data-error-for="parameters.3.key"]:not(:empty)').waitFor();
    expect(await text('[data-error-for="parameters.3.key"]')).toBe("name is given twice");
    expect(await queuedRuns()).toBe(before);
    await page.fill('[name="parameters.3.key"]', "tags");
    await page.fill('[name="parameters.3.value"]', '["a", "b"]');
    await page.click("#trigger-run");
    await page.waitForFunction(() => /^#\/runs\/[0-9a-f-]{36}$/.test(location.hash));
    await page.locator('#run-state [data-state="COMPLETED"]').waitFor({ timeout: 30_000 });
    expect(await queuedRuns()).toBe(before + 1);
    expect(JSON.parse(await text("#run-parameters"))).toEqual({ times: 2, apiToken: "********", name: XSS, tags: ["a", "b"] });
    expect(JSON.parse(await text("#run-result-value"))).toEqual({ greeting: `hello ${XSS} hello ${XSS}`, tags: ["a", "b"], defaultApplied: true });
    await page.locator("#durable-status:text-matches('SUCCESS')").waitFor();
    expect(await text("#durable-status")).toMatch(/^Durable run on queue greet: SUCCESS \(worker ui-worker-1\)$/);
    expect(await page.locator("#cancel-run").count()).toBe(0);
    await page.locator("#logs .line").first().waitFor();
    expect(await text("#logs")).toContain(`greeting ${XSS} 2 time(s)`);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator("#app script").count()).toBe(0);
    await shot("durable-run", true);
    // The deployments page names it as the last run.
    await go("#/deployments");
    await page.locator('#deployments [data-deployment="greet"] .last-run [data-state="COMPLETED"]').waitFor();
  });

  it("cancels a slow durable run from its page (CANCELLED), then resumes it to COMPLETED", async () => {
    await go("#/deployments/slow/run");
    await page.locator("#trigger-form").waitFor();
    await page.fill('[name="parameters.0.value"]', "12");
    await page.fill('[name="parameters.1.value"]', "400");
    await page.click("#trigger-run");
    await page.waitForFunction(() => /^#\/runs\/[0-9a-f-]{36}$/.test(location.hash));
    const runId = decodeURIComponent((await page.evaluate(() => location.hash)).replace("#/runs/", ""));
    await page.locator('#run-state [data-state="RUNNING"]').waitFor({ timeout: 30_000 });
    await page.locator('#timeline [data-task="step"][data-task-state="COMPLETED"]').first().waitFor();
    // A second run waits in the queue (one at a time): it is recorded PENDING with the
    // parameters it will run with, and cancelling it means it never starts.
    const post = (apiPath: string, body: unknown) =>
      page.evaluate(
        async ({ apiPath, body }) => {
          const response = await fetch(`/api${apiPath}`, { method: "POST", headers: { "x-sqlblocks-request": "1", "content-type": "application/json" }, body: JSON.stringify(body) });
          return { status: response.status, body: (await response.json()) as Record<string, unknown> };
        },
        { apiPath, body },
      );
    const queued = await post("/deployments/slow/runs", { parameters: [{ key: "steps", value: "2" }] });
    expect(queued.status).toBe(201);
    const queuedId = String(queued.body.runId);
    const pending = await runs.getRun(queuedId);
    expect(pending?.run.state).toBe("PENDING");
    expect(pending?.parameters).toEqual({ steps: 2, ms: 300 });
    expect(await post(`/runs/${queuedId}/cancel`, {})).toMatchObject({ status: 200, body: { runId: queuedId, status: "CANCELLED" } });
    await page.locator("#cancel-run").waitFor();
    await page.click("#cancel-run");
    await page.locator('#run-state [data-state="CANCELLED"]').waitFor({ timeout: 30_000 });
    await page.locator("#durable-status:text-matches('CANCELLED')").waitFor();
    expect(await text("#run-error")).toBe("cancelled on request (sqlblocks runs cancel, the web page or DurableClient.cancel)");
    const cancelled = await runs.getRun(runId);
    expect(cancelled?.run.state).toBe("CANCELLED");
    const stepsDone = cancelled!.taskRuns.filter((t) => t.state === "COMPLETED").length;
    expect(stepsDone).toBeGreaterThan(0);
    expect(stepsDone).toBeLessThan(12);
    await shot("durable-cancelled", true);
    await page.click("#resume-run");
    await page.locator('#run-state [data-state="COMPLETED"]').waitFor({ timeout: 40_000 });
    expect(JSON.parse(await text("#run-result-value"))).toEqual({ steps: 12 });
    expect(JSON.parse(await text("#run-parameters"))).toEqual({ steps: 12, ms: 400 });
    // The cancelled queued run never started.
    const never = await runs.getRun(queuedId);
    expect(never?.run.state).toBe("CANCELLED");
    expect(never?.taskRuns).toEqual([]);
  });

  it("says on an in-process run's page that Cancel and Resume do not apply", async () => {
    const { flow, configureRunHistory, flushRunHistory } = await import("@sqlblocks/flow");
    configureRunHistory({ store: await getDefaultStore() });
    try {
      await flow("local-only", async (n: number) => n * 2)(21);
      await flushRunHistory();
    } finally {
      configureRunHistory({ store: undefined });
    }
    const [local] = (await runs.listRuns({ flow: "local-only" })).runs;
    await go(`#/runs/${local!.id}`);
    await page.locator("#durable-none").waitFor();
    expect(await text("#durable-none")).toMatch(/ran in-process .* Cancel and Resume apply only to durable runs/);
    expect(await text("#run-result-value")).toBe("42");
    expect(await text("#run-parameters")).toBe("[\n  21\n]");
    expect(await page.locator("#cancel-run, #resume-run").count()).toBe(0);
  });

  it("had no script errors, CSP violations or failed requests, and never showed the secret default", async () => {
    expect(problems).toEqual([]);
    expect(answers.join("\n")).not.toContain("Ui-Default-Canary-Tk9");
    const stored = await (await getDefaultStore()).db.all<Record<string, unknown>>("SELECT parameters, result FROM flow_runs");
    expect(JSON.stringify(stored)).not.toContain("Ui-Default-Canary-Tk9");
  });
});
