import { type BlockStore, SqlConnector, type SqlConnectorOptions } from "@sqlblocks/core";
import { it } from "vitest";
import { lowerKeys } from "./helpers.js";
import type { ConformanceOptions } from "./options.js";

/** The shared state every module of the suite runs with. Built by {@link runConformanceSuite}. */
export interface SuiteContext {
  readonly options: ConformanceOptions;
  readonly url: string;
  /** The suite's table `(id INTEGER PRIMARY KEY, name VARCHAR(100), score INTEGER)`. */
  readonly table: string;
  /** The shared connector (valid inside tests). */
  readonly connector: SqlConnector;
  /** A block store in a temporary folder (valid inside tests). */
  readonly store: BlockStore;
  /** A new connector on the server under test, with the suite's options. */
  make(extra?: Partial<SqlConnectorOptions>): SqlConnector;
  /** Empties the table and releases every cursor. */
  reset(): Promise<void>;
  /** Resets, then inserts rows 1..n as `{ id, name: "row <id>", score: id * 10 }`. */
  seed(rows: number): Promise<void>;
  /** Drops a table if it exists, with the driver's SQL. */
  dropSql(table: string): string;
  /** Declares a test that is skipped (visibly) when the server is unreachable. */
  test(name: string, fn: () => Promise<void>, timeout?: number): void;
}

/** The `n` column of a `COUNT(*) AS n` row, whatever the driver's case or number type. */
export function count(row: Record<string, unknown> | undefined): number {
  return Number(lowerKeys(row)?.n);
}

/** A promise's rejection, or `undefined` when it resolved. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** Mutable parts of the context, set in the suite's `beforeAll`. */
export interface ContextState {
  connector?: SqlConnector;
  store?: BlockStore;
  unreachable?: unknown;
}

/** Builds the context over state the suite fills in before the tests run. */
export function createContext(options: ConformanceOptions, url: string, table: string, state: ContextState): SuiteContext {
  const dropSql = options.dropTableSql ?? ((name: string) => `DROP TABLE IF EXISTS ${name}`);
  const context: SuiteContext = {
    options,
    url,
    table,
    get connector() {
      if (!state.connector) throw new Error("the conformance connector is used outside a test");
      return state.connector;
    },
    get store() {
      if (!state.store) throw new Error("the conformance store is used outside a test");
      return state.store;
    },
    make: (extra = {}) => new SqlConnector({ connectionInfo: url, ...options.connectorOptions, ...extra }),
    async reset() {
      await context.connector.resetConnections();
      await context.connector.execute(`DELETE FROM ${table}`);
    },
    async seed(rows) {
      await context.reset();
      await context.connector.executeMany(
        `INSERT INTO ${table} (id, name, score) VALUES (:id, :name, :score)`,
        Array.from({ length: rows }, (_, i) => ({ id: i + 1, name: `row ${i + 1}`, score: (i + 1) * 10 })),
      );
    },
    dropSql,
    test(name, fn, timeout = 30_000) {
      it(
        name,
        async (vitest) => {
          if (state.unreachable) vitest.skip();
          await fn();
        },
        timeout,
      );
    },
  };
  return context;
}
