import type { BlockStore } from "@sqlblocks/core";
import type { RunQuery } from "@sqlblocks/flow";
import { Hono } from "hono";
import { blockRoutes } from "./api/blocks.js";
import { durableRoutes } from "./api/durable.js";
import { runRoutes } from "./api/runs.js";
import { type Asset, loadAssets } from "./assets.js";
import { createDurableAccess, type DurableAccess } from "./durable.js";
import { errorAnswer } from "./errors.js";
import { accessControl, crossSiteProtection, securityHeaders } from "./security.js";

/** What {@link createUiApp} serves. */
export interface UiAppOptions {
  store: BlockStore;
  runs: RunQuery;
  /** The access token every request must carry; `undefined` for a loopback-only server. */
  token: string | undefined;
  /** The built page; read from `dist/web` when omitted. */
  assets?: Map<string, Asset> | undefined;
  /**
   * Durable runs (deployments, workers, trigger, cancel, resume); default: `@sqlblocks/dbos`
   * loaded on first use with the settings of `process.env`. Whoever passes one closes it.
   */
  durable?: DurableAccess | undefined;
  /** Called with each failed request's method, path, status and one-line message (never a secret). */
  onError?: ((line: string) => void) | undefined;
}

/**
 * The web application: the built page at `/` and the JSON API under `/api`, behind the
 * security headers, access control and cross-site protection. A Hono app: serve it with
 * {@link startUiServer}, or call `app.request()` in tests.
 */
export function createUiApp(options: UiAppOptions): Hono {
  const assets = options.assets ?? loadAssets();
  const app = new Hono();
  app.use("*", securityHeaders());
  app.use("*", accessControl(options.token));
  app.use("/api/*", crossSiteProtection());
  app.route("/api", blockRoutes(options.store));
  app.route("/api", durableRoutes(options.durable ?? createDurableAccess({ store: options.store }), options.runs));
  app.route("/api", runRoutes(options.runs));
  app.all("/api/*", (c) => c.json({ error: { code: "SQLBLOCKS_UI_NOT_FOUND", message: `no API route ${c.req.method} ${c.req.path}` } }, 404));

  app.get("*", (c) => {
    const asset = assets.get(c.req.path) ?? (c.req.path.includes(".") ? undefined : assets.get("/index.html"));
    if (!asset) return c.text("not found", 404);
    c.header("Content-Type", asset.type);
    c.header("Cache-Control", asset.type.startsWith("text/html") ? "no-store" : "no-cache");
    return c.body(new Uint8Array(asset.body));
  });

  app.onError((error, c) => {
    const { status, body } = errorAnswer(error);
    options.onError?.(`${c.req.method} ${c.req.path} -> ${status}: ${body.error.message}`);
    return c.json(body, status);
  });
  return app;
}
