import { statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import http from "node:http";
import { SqlConnector } from "@sqlblocks/core";
import { flow, flushRunHistory, getRunLogger } from "@sqlblocks/flow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTENT_SECURITY_POLICY, isLoopbackHost, resolveAccessToken } from "../src/index.js";
import { startFixture, type UiFixture } from "./helpers.js";

const CANARY = "Canary-Pw-7f3a9c!";
const SQLITE = "sqlite+better-sqlite3:///:memory:";
const MUTATION = { "x-sqlblocks-request": "1", "content-type": "application/json" };

describe("UI server: secrets, CSP, cross-site requests (loopback, no token)", () => {
  let fx: UiFixture;
  const bodies: string[] = [];
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = MUTATION) => {
    const response = await fetch(new URL(path, fx.server.url), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    bodies.push(text);
    expect(response.headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
    return { status: response.status, text, json: () => JSON.parse(text) as Record<string, unknown> & { error?: { message: string; code: string } } };
  };

  beforeAll(async () => {
    fx = await startFixture();
  });
  afterAll(async () => {
    await fx.close();
  });

  it("serves the page and assets with a strict CSP and no inline script", async () => {
    const page = await call("GET", "/");
    expect(page.status).toBe(200);
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page.text).not.toMatch(/\son\w+=/);
    expect(page.text).not.toMatch(/https?:\/\//);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|\*|https?:/);
    for (const asset of ["/app.js", "/app.css", "/nothing.png", "/api/nope"]) await call("GET", asset);
    expect((await call("GET", "/app.js")).text).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
  });

  it("never shows a stored password: create, detail, edit keeps it, URL form, errors", async () => {
    const components = { driver: "postgresql+pg", host: "127.0.0.1", port: 5432, database: "test", username: "postgres", password: CANARY };
    expect((await call("POST", "/api/blocks", { type: "sql-connector", name: "canary-a", data: { connectionInfo: components } })).status).toBe(201);
    const detail = (await call("GET", "/api/blocks/sql-connector/canary-a")).json();
    expect(detail.data).toMatchObject({ connectionInfo: { password: "********" } });
    expect(detail.url).toBe("postgresql+pg://postgres:********@127.0.0.1:5432/test");
    // Edit without retyping: the page sends the mask back and the stored password stays.
    const edited = await call("PUT", "/api/blocks/sql-connector/canary-a", { data: { connectionInfo: { ...components, password: "********" }, fetchSize: 7 } });
    expect(edited.status).toBe(200);
    const reloaded = await SqlConnector.load("canary-a", { store: fx.store });
    expect(reloaded.components.password?.reveal()).toBe(CANARY);
    expect(reloaded.fetchSize).toBe(7);
    // A URL with the password, then edited with the masked URL the page shows.
    const url = `postgresql+pg://postgres:${encodeURIComponent(CANARY)}@127.0.0.1:5432/test?application_name=x`;
    expect((await call("POST", "/api/blocks", { type: "sql-connector", name: "canary-b", data: { connectionInfo: { url } } })).status).toBe(201);
    const shown = (await call("GET", "/api/blocks/sql-connector/canary-b")).json() as { data: { connectionInfo: { url: string } } };
    expect(shown.data.connectionInfo.url).toBe("postgresql+pg://postgres:********@127.0.0.1:5432/test?application_name=x");
    await call("PUT", "/api/blocks/sql-connector/canary-b", { data: { connectionInfo: { url: shown.data.connectionInfo.url } } });
    expect((await SqlConnector.load("canary-b", { store: fx.store })).components.password?.reveal()).toBe(CANARY);
    // Errors that carry the URL: a bad port, an unknown driver, a duplicate, a test that fails.
    await call("POST", "/api/blocks", { type: "sql-connector", name: "canary-c", data: { connectionInfo: { url: `postgresql+pg://postgres:${CANARY}@127.0.0.1:99999/test` } } });
    await call("POST", "/api/blocks", { type: "sql-connector", name: "canary-d", data: { connectionInfo: { url: `nosuch://postgres:${CANARY}@h/test` } } });
    expect((await call("POST", "/api/blocks", { type: "sql-connector", name: "canary-a", data: { connectionInfo: components } })).status).toBe(409);
    await call("POST", "/api/blocks", { type: "sql-connector", name: "canary-e", data: { connectionInfo: { ...components, port: 1, host: "127.0.0.1" } } });
    const failed = (await call("POST", "/api/blocks/sql-connector/canary-e/test")).json();
    expect(failed).toMatchObject({ ok: false });
    for (const list of ["/api/blocks", "/api/types", "/api/runs", "/api/runs/history"]) await call("GET", list);
    const everything = [...bodies, ...fx.serverLog].join("\n");
    expect(everything).toContain("********");
    for (const form of [CANARY, encodeURIComponent(CANARY), Buffer.from(CANARY).toString("base64")]) expect(everything).not.toContain(form);
  });

  it("keeps the secret in run logs and errors out of every answer", async () => {
    const leaky = flow({ name: "leaky", tags: ["canary"] }, async () => {
      getRunLogger().info(`connecting to postgresql+pg://postgres:${CANARY}@db/x`);
      throw new Error(`could not reach postgresql+pg://postgres:${CANARY}@db/x`);
    });
    await expect(leaky()).rejects.toThrow();
    await flushRunHistory();
    const page = (await call("GET", "/api/runs?flow=leaky")).json() as { runs: { id: string }[] };
    const id = page.runs[0]!.id;
    await call("GET", `/api/runs/${id}`);
    await call("GET", `/api/runs/${id}/logs`);
    expect((await call("GET", `/api/runs/${id}?include=logs`)).text).toContain("postgresql+pg://postgres:********@db/x");
    const everything = [...bodies, ...fx.serverLog].join("\n");
    expect(everything).toContain("postgresql+pg://postgres:********@db/x");
    expect(everything).not.toContain(CANARY);
  });

  it("records a connector passed as a parameter by name and secrets in parameters or results masked", async () => {
    const warehouse = new SqlConnector({ connectionInfo: `postgresql+pg://postgres:${encodeURIComponent(CANARY)}@127.0.0.1:5432/test` });
    await warehouse.save("canary-param", { store: fx.store });
    const unsaved = new SqlConnector({ connectionInfo: { driver: "postgresql+pg", host: "db", username: "app", password: CANARY } });
    const load = flow("canary-params", async (options: { db: SqlConnector; other: SqlConnector; password: string; note: string }) => ({
      echoed: options.note,
      url: `postgresql://app:${CANARY}@db/x`,
    }));
    await load({ db: warehouse, other: unsaved, password: CANARY, note: `postgresql://u:${CANARY}@h/d` });
    await flushRunHistory();
    const page = (await call("GET", "/api/runs?flow=canary-params")).json() as { runs: Record<string, unknown>[] };
    // The list never carries parameters or results (the run page does).
    expect(page.runs[0]).not.toHaveProperty("parameters");
    const detail = (await call("GET", `/api/runs/${page.runs[0]!.id}`)).json() as { parameters: Record<string, unknown>; result: Record<string, unknown> };
    expect(detail.parameters).toMatchObject({ db: { $block: "sql-connector/canary-param" }, password: "********", note: "postgresql://u:********@h/d" });
    expect(detail.result).toEqual({ echoed: "postgresql://u:********@h/d", url: "postgresql://app:********@db/x" });
    const rows = await fx.store.db.all<Record<string, unknown>>("SELECT parameters, result FROM flow_runs");
    expect(JSON.stringify(rows)).not.toContain(CANARY);
    expect(JSON.stringify(rows)).not.toContain(encodeURIComponent(CANARY));
    expect(bodies.join("\n")).not.toContain(CANARY);
  });

  it("deployments on the embedded store: says why they are unavailable; bad parameters get 400 per row; nothing is enqueued", async () => {
    const listed = (await call("GET", "/api/deployments")).json();
    expect(listed).toMatchObject({ available: false });
    expect(String(listed.reason)).toMatch(/need the PostgreSQL store: this page shows the (better-sqlite3|node:sqlite) store at/);
    const bad = await call("POST", "/api/deployments/nightly/runs", {
      parameters: [
        { key: "day", value: "2024-01-01" },
        { key: "", value: "orphan" },
        { key: "day", value: "2" },
        { key: "rows", value: "[1, 2" },
        { key: "ok", value: "true" },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.json().error).toMatchObject({
      code: "SQLBLOCKS_INVALID_PARAMETERS",
      issues: [
        { path: "parameters.1.key", message: "row 2: a value needs a name" },
        { path: "parameters.2.key", message: "day is given twice" },
        { path: "parameters.3.value", message: 'rows: "[1, 2" looks like JSON but does not parse' },
      ],
    });
    expect((await call("POST", "/api/deployments/nightly/runs", { parameters: "day=1" })).status).toBe(400);
    expect((await call("POST", "/api/deployments/nightly/runs", "[]")).status).toBe(400);
    // Good parameters, but no durable runs here: 409 with the reason.
    const good = await call("POST", "/api/deployments/nightly/runs", { parameters: [{ key: "day", value: "2024-01-01" }] });
    expect(good.status).toBe(409);
    expect(good.json().error).toMatchObject({ code: "SQLBLOCKS_UI_DURABLE_UNAVAILABLE" });
    const page = (await call("GET", "/api/runs?flow=canary-params")).json() as { runs: { id: string }[] };
    const id = page.runs[0]!.id;
    expect((await call("GET", `/api/runs/${id}/durable`)).json()).toMatchObject({ durable: false });
    expect((await call("POST", `/api/runs/${id}/cancel`, {})).status).toBe(409);
    expect((await call("POST", `/api/runs/${id}/resume`, {})).status).toBe(409);
    // Cross-site attempts are refused before anything else.
    expect((await call("POST", "/api/deployments/nightly/runs", {}, { ...MUTATION, origin: "https://evil.example" })).status).toBe(403);
    expect((await call("POST", `/api/runs/${id}/cancel`, {}, { ...MUTATION, "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await call("POST", `/api/runs/${id}/resume`, {}, { "content-type": "application/json" })).status).toBe(403);
  });

  it("validates: bad names, bad fields and bad filters get 400 with messages", async () => {
    const badName = await call("POST", "/api/blocks", { type: "sql-connector", name: "Bad Name", data: { connectionInfo: { url: SQLITE } } });
    expect(badName.status).toBe(400);
    expect(badName.json().error!.code).toBe("SQLBLOCKS_INVALID_BLOCK_NAME");
    const badPool = await call("POST", "/api/blocks", { type: "sql-connector", name: "pool", data: { connectionInfo: { url: SQLITE }, pool: { max: 0 } } });
    expect(badPool.status).toBe(400);
    expect(badPool.json().error).toMatchObject({ code: "SQLBLOCKS_BLOCK_INVALID", issues: [{ path: "pool.max" }] });
    expect((await call("GET", "/api/runs?state=DONE")).status).toBe(400);
    expect((await call("GET", "/api/runs?from=yesterday")).status).toBe(400);
    expect((await call("GET", "/api/runs/nope")).status).toBe(404);
    expect((await call("GET", "/api/blocks/sql-connector/nope")).status).toBe(404);
    expect((await call("DELETE", "/api/blocks/sql-connector/nope")).status).toBe(404);
  });

  it("refuses cross-site mutations", async () => {
    const body = { type: "sql-connector", name: "xsite", data: { connectionInfo: { url: SQLITE } } };
    const evil = await call("POST", "/api/blocks", body, { ...MUTATION, origin: "https://evil.example" });
    expect(evil.status).toBe(403);
    expect(evil.json().error!.code).toBe("SQLBLOCKS_UI_CROSS_SITE");
    expect((await call("POST", "/api/blocks", body, { ...MUTATION, "sec-fetch-site": "cross-site" })).status).toBe(403);
    // A plain HTML form post: no custom header, form encoding.
    const form = await fetch(new URL("/api/blocks", fx.server.url), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "type=sql-connector&name=xsite",
    });
    expect(form.status).toBe(403);
    expect((await call("POST", "/api/blocks", body, { "x-sqlblocks-request": "1", "content-type": "text/plain" })).status).toBe(403);
    expect((await call("DELETE", "/api/blocks/sql-connector/canary-a", undefined, { origin: "http://evil.example" })).status).toBe(403);
    expect((await SqlConnector.load("canary-a", { store: fx.store })).blockName).toBe("canary-a");
    expect((await fx.store.listDocuments()).some((d) => d.name === "xsite")).toBe(false);
    // The same request from the page's own origin works.
    expect((await call("POST", "/api/blocks", body, { ...MUTATION, origin: new URL(fx.server.url).origin, "sec-fetch-site": "same-origin" })).status).toBe(201);
  });

  it("answers only for loopback host names without a token (DNS rebinding)", async () => {
    // fetch() may not set Host: speak HTTP directly, as a rebound DNS name would arrive.
    const status = (host: string) =>
      new Promise<number | undefined>((resolve, reject) => {
        const request = http.get({ host: "127.0.0.1", port: fx.server.port, path: "/api/blocks", headers: { host } }, (response) => {
          response.resume();
          resolve(response.statusCode);
        });
        request.on("error", reject);
      });
    expect(await status("attacker.example")).toBe(403);
    expect(await status(`attacker.example:${fx.server.port}`)).toBe(403);
    expect(await status(`localhost:${fx.server.port}`)).toBe(200);
  });
});

describe("UI server with a token", () => {
  it("generates a 0600 token file for a non-loopback bind and refuses requests without the token", async () => {
    const fx = await startFixture({ host: "0.0.0.0", env: { SQLBLOCKS_UI_TOKEN: "" } });
    try {
      expect(fx.server.tokenRequired).toBe(true);
      const token = new URL(fx.server.url).searchParams.get("token")!;
      expect(token.length).toBeGreaterThanOrEqual(32);
      expect(statSync(fx.server.tokenFile!).mode & 0o777).toBe(0o600);
      expect((await readFile(fx.server.tokenFile!, "utf8")).trim()).toBe(token);
      const base = `http://127.0.0.1:${fx.server.port}`;
      const refused = await fetch(`${base}/api/blocks`);
      expect(refused.status).toBe(401);
      expect(refused.headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
      expect((await fetch(`${base}/`)).status).toBe(401);
      expect((await fetch(`${base}/api/blocks`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
      expect((await fetch(`${base}/api/blocks`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      // Opening the printed URL sets an HttpOnly, SameSite=Strict cookie and drops the token from the address.
      const open = await fetch(`${base}/?token=${token}`, { redirect: "manual" });
      expect(open.status).toBe(303);
      expect(open.headers.get("location")).toBe("/");
      const cookie = open.headers.get("set-cookie")!;
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Strict/i);
      expect((await fetch(`${base}/api/blocks`, { headers: { cookie: cookie.split(";")[0]! } })).status).toBe(200);
      // The token never reaches an answer body.
      const page = await (await fetch(`${base}/`, { headers: { cookie: cookie.split(";")[0]! } })).text();
      expect(page).not.toContain(token);
    } finally {
      await fx.close();
    }
  });

  it("takes SQLBLOCKS_UI_TOKEN and does not print it in the URL", async () => {
    const fx = await startFixture({ host: "127.0.0.1", env: { SQLBLOCKS_UI_TOKEN: "from-the-environment-0123456789" } });
    try {
      expect(fx.server.url).not.toContain("token");
      expect(fx.server.tokenFile).toBeUndefined();
      expect((await fetch(new URL("/api/runs", fx.server.url))).status).toBe(401);
      const ok = await fetch(new URL("/api/runs", fx.server.url), { headers: { authorization: "Bearer from-the-environment-0123456789" } });
      expect(ok.status).toBe(200);
    } finally {
      await fx.close();
    }
  });

  it("knows loopback addresses", async () => {
    expect(["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "::ffff:127.0.0.1"].every(isLoopbackHost)).toBe(true);
    expect(["0.0.0.0", "10.0.0.1", "::", "example.com", "128.0.0.1"].some(isLoopbackHost)).toBe(false);
    expect((await resolveAccessToken("127.0.0.1", {})).token).toBeUndefined();
  });
});
