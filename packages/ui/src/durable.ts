import { type BlockStore, importOptionalPackage } from "@sqlblocks/core";
import type * as Durable from "@sqlblocks/dbos";
import { oneLine } from "./errors.js";

/** The optional peer behind the deployments and workers pages, and Cancel / Resume. */
export const DURABLE_PACKAGE = "@sqlblocks/dbos";

/** The `@sqlblocks/dbos` module, as {@link createDurableAccess} loads it. */
export type DurableModule = typeof Durable;

/** Durable runs are available: a client on the cluster, and its configuration. */
export interface DurableReady {
  available: true;
  durable: DurableModule;
  client: Durable.DurableClient;
  config: Durable.DurableConfig;
}

/** Durable runs are not available here, and why (a sentence for the page, never a secret). */
export interface DurableUnavailable {
  available: false;
  reason: string;
}

/** Opens the durable-run client when the page needs it; see {@link createDurableAccess}. */
export interface DurableAccess {
  /** The client, or why there is none. A failure to reach the cluster is tried again on the next call. */
  get(): Promise<DurableReady | DurableUnavailable>;
  close(): Promise<void>;
}

/** Options of {@link createDurableAccess}. */
export interface DurableAccessOptions {
  /** The store the page shows: durable runs need it on PostgreSQL. */
  store: BlockStore;
  /** Where `SQLBLOCKS_STORE_URL` and the other durable settings are read (default `process.env`). */
  env?: NodeJS.ProcessEnv | undefined;
  /** Loads `@sqlblocks/dbos` (default: resolved from the application like the CLI does; tests inject one). */
  load?: (() => Promise<DurableModule | undefined>) | undefined;
}

/** Imports `@sqlblocks/dbos` from where the application has it, or `undefined` when it is not installed. */
export function loadDurableModule(): Promise<DurableModule | undefined> {
  // Like the CLI: from the application first (working directory, main script), then this package.
  return importOptionalPackage<DurableModule>(DURABLE_PACKAGE, import.meta.url);
}

/**
 * Access to durable runs (`@sqlblocks/dbos`, an optional peer) for the web page: loaded and
 * connected on first use, so the page costs nothing for those who do not use workers. It is
 * unavailable, with a reason the page shows, when the store is not PostgreSQL, the package is
 * not installed, or the cluster is not configured or does not answer.
 */
export function createDurableAccess(options: DurableAccessOptions): DurableAccess {
  const env = options.env ?? process.env;
  const load = options.load ?? loadDurableModule;
  let opening: Promise<DurableReady | DurableUnavailable> | undefined;
  let ready: DurableReady | undefined;
  let closed = false;

  const open = async (): Promise<DurableReady | DurableUnavailable> => {
    const db = options.store.db;
    if (db.dialect !== "postgres") {
      return {
        available: false,
        reason: `Deployments and workers need the PostgreSQL store: this page shows the ${db.engine} store at ${db.location}. Start sqlblocks ui with SQLBLOCKS_STORE_URL=postgresql://… (the store your workers use).`,
      };
    }
    let durable: DurableModule | undefined;
    try {
      durable = await load();
    } catch (error) {
      return { available: false, reason: `${DURABLE_PACKAGE} could not be loaded: ${oneLine(error)}` };
    }
    if (!durable) {
      return {
        available: false,
        reason: `Deployments and workers need ${DURABLE_PACKAGE}, which is not installed: run pnpm add ${DURABLE_PACKAGE} (npm install ${DURABLE_PACKAGE}) in your project, then start sqlblocks ui again.`,
      };
    }
    let config: Durable.DurableConfig;
    try {
      config = durable.resolveDurableConfig(env);
    } catch (error) {
      return { available: false, reason: oneLine(error) };
    }
    try {
      const client = await durable.DurableClient.open(config);
      if (closed) {
        // The server stopped while the client was connecting.
        await client.close();
        return { available: false, reason: "the web page's server is stopping" };
      }
      ready = { available: true, durable, client, config };
      return ready;
    } catch (error) {
      return { available: false, reason: `the durable-run cluster does not answer: ${oneLine(error)}` };
    }
  };

  return {
    get() {
      if (ready) return Promise.resolve(ready);
      opening ??= open().finally(() => {
        opening = undefined;
      });
      return opening;
    },
    async close() {
      closed = true;
      await opening?.catch(() => undefined);
      const client = ready?.client;
      ready = undefined;
      await client?.close();
    },
  };
}
