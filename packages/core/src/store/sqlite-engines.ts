import { StoreError } from "../errors.js";
import { locatePeer, requirePeer } from "./peer.js";

/** One prepared statement, as both SQLite engines expose it. */
export interface SqliteStatement {
  run(...params: unknown[]): { changes: number | bigint };
  all(...params: unknown[]): unknown[];
  get(...params: unknown[]): unknown;
}

/** The synchronous connection both `node:sqlite` and `better-sqlite3` provide. */
export interface SqliteConnection {
  exec(sql: string): unknown;
  prepare(sql: string): SqliteStatement;
  close(): unknown;
}

/** Opens a SQLite file with one engine. */
export type SqliteOpener = (file: string) => SqliteConnection;

type NodeSqliteModule = { DatabaseSync: new (file: string) => SqliteConnection };
type BetterSqlite3Module = new (file: string, options?: { timeout?: number }) => SqliteConnection;

/** What a user can do when no embedded engine is available (shared by every message). */
export const NO_ENGINE_ADVICE =
  "use Node.js 22.13 or later (node:sqlite is built in), or add better-sqlite3 to your application " +
  "(`pnpm add better-sqlite3`, then `pnpm approve-builds` so pnpm builds its native addon; `npm install better-sqlite3`), " +
  "or keep the store on PostgreSQL with SQLBLOCKS_STORE_URL=postgresql://…";

let nodeSqlite: NodeSqliteModule | null | undefined;

/**
 * `node:sqlite`, or `undefined` where the runtime has none (Node 20; Node 22 before 22.13
 * without `--experimental-sqlite`).
 *
 * Node 22 prints "ExperimentalWarning: SQLite is an experimental feature" when the module
 * loads. That one warning is dropped here, on purpose: the store uses the stable core of the
 * API (open, exec, prepare) and the file is plain SQLite, the same format better-sqlite3
 * writes. Every other warning passes through. Node 24 prints none.
 */
export function loadNodeSqlite(): NodeSqliteModule | undefined {
  if (nodeSqlite !== undefined) return nodeSqlite ?? undefined;
  const getBuiltin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  const emitWarning = process.emitWarning;
  process.emitWarning = function filtered(this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
    const text = typeof warning === "string" ? warning : warning.message;
    const type = typeof rest[0] === "string" ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    const kind = typeof warning === "string" ? type : warning.name;
    if (kind === "ExperimentalWarning" && /SQLite/i.test(text)) return;
    return (emitWarning as (...args: unknown[]) => void).call(this, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    const loaded = getBuiltin?.call(process, "node:sqlite") as NodeSqliteModule | undefined;
    nodeSqlite = loaded && typeof loaded.DatabaseSync === "function" ? loaded : null;
  } catch {
    nodeSqlite = null;
  } finally {
    process.emitWarning = emitWarning;
  }
  return nodeSqlite ?? undefined;
}

/** An opener over `node:sqlite`, or `undefined` where the runtime has none. */
export function nodeSqliteOpener(): SqliteOpener | undefined {
  const mod = loadNodeSqlite();
  if (!mod) return undefined;
  return (file) => new mod.DatabaseSync(file);
}

/**
 * An opener over the application's `better-sqlite3`, or `undefined` when it is not
 * installed. A package that is installed but whose native addon was never built (pnpm 10
 * skips builds it was not told to allow) fails when the store opens, with the fix.
 */
export function betterSqlite3Opener(): SqliteOpener | undefined {
  const entry = locatePeer("better-sqlite3", ["@sqlblocks/driver-sqlite"]);
  if (!entry) return undefined;
  return (file) => {
    let Database: BetterSqlite3Module;
    try {
      Database = requirePeer<BetterSqlite3Module>(entry);
      return new Database(file, { timeout: 15_000 });
    } catch (error) {
      const message = (error as Error).message;
      if (/bindings file|NODE_MODULE_VERSION|\.node\b|invalid ELF|dlopen/i.test(message)) {
        throw new StoreError(
          `better-sqlite3 is installed at ${entry} but its native addon does not load on Node.js ${process.version} ` +
            `(${message.replace(/\s+/g, " ").slice(0, 300)}): run \`pnpm approve-builds\` (pnpm 10 builds no addon it was not told to) ` +
            "or `npm rebuild better-sqlite3` in your application; or use Node.js 22.13 or later (node:sqlite is built in), " +
            "or keep the store on PostgreSQL with SQLBLOCKS_STORE_URL=postgresql://…",
          { cause: error },
        );
      }
      throw error;
    }
  };
}
