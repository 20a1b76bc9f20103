import { BlockStore, storeHome } from "./block-store.js";
import { resolveStoreTarget, type StoreOptions } from "./open-database.js";

const openStores = new Map<string, Promise<BlockStore>>();
let configured: StoreOptions | undefined;

/**
 * Chooses the process-wide default store in code instead of the environment, e.g. a
 * shared PostgreSQL store. Options given here win over `SQLBLOCKS_STORE_URL`,
 * `SQLBLOCKS_STORE_ENGINE`, `SQLBLOCKS_STORE_SCHEMA` and `SQLBLOCKS_HOME`; pass nothing
 * to go back to the environment. Stores already opened stay open.
 *
 * @example
 * configureDefaultStore({ url: process.env.TEAM_STORE_URL, schema: "sqlblocks" });
 * await SqlConnector.load("warehouse"); // read from the team's store
 */
export function configureDefaultStore(options?: StoreOptions): void {
  configured = options ? { ...options } : undefined;
}

/**
 * The process-wide default store: the one {@link configureDefaultStore} names, else
 * `$SQLBLOCKS_STORE_URL` (PostgreSQL) when set, else the embedded SQLite store in
 * `$SQLBLOCKS_HOME`. Opened once per location and reused.
 */
export function getDefaultStore(env: NodeJS.ProcessEnv = process.env): Promise<BlockStore> {
  const options = configured ?? {};
  let cacheKey: string;
  try {
    const home = options.home ?? storeHome(env);
    const target = resolveStoreTarget(options, home, env);
    cacheKey =
      target.engine === "postgres"
        ? `postgres ${typeof target.url === "string" ? target.url : target.url.reveal()} ${target.schema}`
        : `${target.engine} ${target.file}`;
  } catch (error) {
    return Promise.reject(error);
  }
  let store = openStores.get(cacheKey);
  if (!store) {
    store = BlockStore.open({ ...options, env });
    openStores.set(cacheKey, store);
    store.catch(() => openStores.delete(cacheKey));
  }
  return store;
}

/** Closes every store opened through {@link getDefaultStore} (tests, graceful shutdown). */
export async function closeDefaultStores(): Promise<void> {
  const stores = [...openStores.values()];
  openStores.clear();
  await Promise.all(stores.map(async (pending) => (await pending.catch(() => undefined))?.close()));
}
