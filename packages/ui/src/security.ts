import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { isLoopbackHost, tokenMatches } from "./token.js";

/**
 * The Content-Security-Policy of every response: scripts, styles and data only from this
 * server, nothing inline, no frames, no remote origins.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** The header the page sends with every mutation; a cross-site form cannot set it. */
export const REQUEST_HEADER = "x-sqlblocks-request";

/** The cookie that carries the access token after the first visit with `?token=`. */
export const TOKEN_COOKIE = "sqlblocks_ui_token";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function refuse(c: Context, status: 401 | 403, code: string, message: string) {
  return c.json({ error: { code, message } }, status);
}

/** Sets the security headers on every response, errors and 404s included. */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    c.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    c.header("X-Content-Type-Options", "nosniff");
    c.header("X-Frame-Options", "DENY");
    c.header("Referrer-Policy", "no-referrer");
    c.header("Cross-Origin-Opener-Policy", "same-origin");
    c.header("Cross-Origin-Resource-Policy", "same-origin");
    if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
  };
}

/**
 * Who may talk to the server. Without a token (loopback) the Host header must name a
 * loopback address, which defeats DNS rebinding. With a token, every request carries it:
 * `Authorization: Bearer …`, the cookie set on the first visit, or `?token=` on a page load
 * (which sets the cookie and redirects to the same page without it).
 */
export function accessControl(token: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (token === undefined) {
      const host = (c.req.header("host") ?? "").replace(/:\d+$/, "");
      if (!isLoopbackHost(host)) {
        return refuse(c, 403, "SQLBLOCKS_UI_HOST", `this server only answers requests for a loopback host, not "${host}"`);
      }
      return next();
    }
    const bearer = c.req.header("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (tokenMatches(token, bearer) || tokenMatches(token, getCookie(c, TOKEN_COOKIE))) return next();
    const fromQuery = c.req.query("token");
    if (c.req.method === "GET" && !c.req.path.startsWith("/api/") && tokenMatches(token, fromQuery)) {
      setCookie(c, TOKEN_COOKIE, token, { httpOnly: true, sameSite: "Strict", path: "/" });
      return c.redirect(c.req.path, 303);
    }
    return refuse(
      c,
      401,
      "SQLBLOCKS_UI_TOKEN_REQUIRED",
      "this server needs its access token: open the URL that `sqlblocks ui` printed (it ends with ?token=…), or send Authorization: Bearer <token>",
    );
  };
}

/**
 * Refuses cross-site mutations: a POST, PUT or DELETE must come from this page (the
 * `x-sqlblocks-request` header, which a form or a simple cross-site request cannot carry
 * without a CORS preflight this server never grants), with JSON, and its `Origin` and
 * `Sec-Fetch-Site` (when the browser sends them) must say same origin.
 */
export function crossSiteProtection(): MiddlewareHandler {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const site = c.req.header("sec-fetch-site");
    if (site !== undefined && site !== "same-origin" && site !== "none") {
      return refuse(c, 403, "SQLBLOCKS_UI_CROSS_SITE", `cross-site request refused (Sec-Fetch-Site: ${site})`);
    }
    const origin = c.req.header("origin");
    if (origin !== undefined) {
      let originHost: string | undefined;
      try {
        originHost = new URL(origin).host;
      } catch {
        originHost = undefined;
      }
      if (originHost !== c.req.header("host")) {
        return refuse(c, 403, "SQLBLOCKS_UI_CROSS_SITE", "cross-site request refused (Origin is not this server)");
      }
    }
    if (c.req.header(REQUEST_HEADER) !== "1") {
      return refuse(c, 403, "SQLBLOCKS_UI_CROSS_SITE", `request refused: mutations must send the ${REQUEST_HEADER} header`);
    }
    const type = c.req.header("content-type");
    if (type !== undefined && !/^application\/json\b/i.test(type)) {
      return refuse(c, 403, "SQLBLOCKS_UI_CROSS_SITE", "request refused: send JSON (Content-Type: application/json)");
    }
    return next();
  };
}
