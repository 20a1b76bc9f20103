import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { type BlockStore, getDefaultStore } from "@sqlblocks/core";
import { RunQuery } from "@sqlblocks/flow";
import { createUiApp } from "./app.js";
import { createDurableAccess } from "./durable.js";
import { resolveAccessToken } from "./token.js";

/** Options of {@link startUiServer}. */
export interface UiServerOptions {
  /** Interface to bind (default 127.0.0.1). Anything but loopback requires a token. */
  host?: string | undefined;
  /** Port (default 4300; 0 picks a free one). */
  port?: number | undefined;
  /** The store to show (default: the default store, `$SQLBLOCKS_HOME` or `SQLBLOCKS_STORE_URL`). */
  store?: BlockStore | undefined;
  /** Environment to read `SQLBLOCKS_UI_TOKEN` and `SQLBLOCKS_HOME` from. */
  env?: NodeJS.ProcessEnv | undefined;
  /** Receives one line per failed request (never a secret). */
  onError?: ((line: string) => void) | undefined;
}

/** A running server. */
export interface UiServer {
  /** The URL to open; carries `?token=…` when a token is required. */
  url: string;
  host: string;
  port: number;
  /** Where a generated token was written (0600), if one was generated. */
  tokenFile: string | undefined;
  /** Whether requests must carry a token. */
  tokenRequired: boolean;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** The default port of `sqlblocks ui`. */
export const DEFAULT_UI_PORT = 4300;

/**
 * Starts the web page for blocks and runs.
 *
 * @example
 * const server = await startUiServer({ port: 0 });
 * console.log(`open ${server.url}`);
 * await server.close();
 */
export async function startUiServer(options: UiServerOptions = {}): Promise<UiServer> {
  const host = options.host ?? "127.0.0.1";
  const access = await resolveAccessToken(host, options.env ?? process.env);
  const store = options.store ?? (await getDefaultStore(options.env ?? process.env));
  const runs = await RunQuery.open(store.db);
  const durable = createDurableAccess({ store, env: options.env ?? process.env });
  const app = createUiApp({ store, runs, token: access.token, durable, onError: options.onError });
  const server = serve({ fetch: app.fetch, hostname: host, port: options.port ?? DEFAULT_UI_PORT });
  await new Promise<void>((resolve, reject) => {
    if (server.listening) return resolve();
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
  const url = `http://${shownHost}:${port}/${access.token && access.source === "generated" ? `?token=${access.token}` : ""}`;
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
    }).then(() => durable.close());
    return closed;
  };
  return {
    url,
    host,
    port,
    tokenFile: access.file,
    tokenRequired: access.token !== undefined,
    close,
    [Symbol.asyncDispose]: close,
  };
}
