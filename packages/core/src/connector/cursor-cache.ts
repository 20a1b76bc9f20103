import type { Row } from "../driver/contract.js";
import { TooManyCursorsError } from "../errors.js";
import { OpenCursor } from "./cursor.js";
import type { Lease } from "./lease.js";
import type { StatementRunner } from "./runner.js";
import { resultKey } from "./statement-text.js";
import type { Params } from "./types.js";

const FETCH_ALL_CHUNK = 10_000;
/** How many exhausted results are remembered; the oldest is forgotten first. */
const MAX_EXHAUSTED_KEYS = 10_000;

/** What the cache needs from the pool. */
export interface CursorConnections {
  /** A connection for a new cursor, held until the cursor is discarded. */
  acquire(): Promise<Lease>;
  /** Whether an error means the connection is lost. */
  isConnectionFailure(error: unknown): boolean;
}

/**
 * The fetch cursors of one connector, one per (sql, params), as prefect-sqlalchemy keeps
 * its result sets: repeated `fetchOne`/`fetchMany` calls page on, and a result read to the
 * end gives `[]` for the same (sql, params) until {@link CursorCache.reset}. An exhausted
 * cursor gives its connection back at once.
 */
export class CursorCache {
  readonly #cursors = new Map<string, Promise<OpenCursor>>();
  /** Keys of results read to the end: like Python's cached result sets, they give [] until reset. */
  readonly #exhausted = new Set<string>();

  constructor(readonly maxOpen: number) {}

  /** How many cursors are open. */
  get size(): number {
    return this.#cursors.size;
  }

  /** The next `count` rows (`Infinity`: all remaining rows) of the (sql, params) result. */
  async fetch(
    runner: StatementRunner,
    connections: CursorConnections,
    operation: string,
    sql: string,
    params: Params | undefined,
    count: number,
  ): Promise<Row[]> {
    const compiled = runner.compile(sql, params);
    const key = resultKey(sql, params);
    if (this.#exhausted.has(key)) return [];
    let pending = this.#cursors.get(key);
    if (!pending && !Number.isFinite(count)) {
      // The whole result at once: a plain statement, no cursor.
      const result = await runner.execute(sql, params, operation);
      this.#markExhausted(key);
      return result.rows;
    }
    const result = await runner.observe(operation, sql, async () => {
      if (!pending) {
        if (this.#cursors.size >= this.maxOpen) throw new TooManyCursorsError(this.maxOpen);
        pending = this.#open(runner, connections, sql, compiled.sql, compiled.values);
        this.#cursors.set(key, pending);
        pending.catch(() => this.#cursors.delete(key));
      }
      const opened = pending;
      const cursor = await opened;
      let rows: Row[];
      try {
        rows = await cursor.take(count, FETCH_ALL_CHUNK);
      } catch (error) {
        // Only a broken connection is destroyed; after a plain SQL error it goes back to the pool.
        await this.#discard(key, opened, cursor, connections.isConnectionFailure(error));
        throw error;
      }
      if (cursor.exhausted) {
        this.#markExhausted(key);
        const discarded = this.#discard(key, opened, cursor, false);
        // A read-only statement's end is confirmed while the caller works on (the lease is
        // counted until then, so close() waits for it).
        if (!cursor.readOnly) await discarded;
      }
      return { rowCount: rows.length, rows };
    });
    return result.rows;
  }

  /** Closes every cursor and gives its connection back; the next fetch starts from row 1. */
  async reset(): Promise<void> {
    const entries = [...this.#cursors.values()];
    this.#cursors.clear();
    this.#exhausted.clear();
    await Promise.all(
      entries.map(async (pending) => {
        const cursor = await pending.catch(() => undefined);
        if (cursor) await closeAndRelease(cursor, false);
      }),
    );
  }

  async #open(
    runner: StatementRunner,
    connections: CursorConnections,
    originalSql: string,
    sql: string,
    values: readonly unknown[],
  ): Promise<OpenCursor> {
    const lease = await connections.acquire();
    try {
      const readOnly = runner.isReadOnly(originalSql);
      return new OpenCursor(lease, await lease.connection.openCursor(sql, values, { readOnly }), readOnly);
    } catch (error) {
      await lease.release(connections.isConnectionFailure(error));
      throw error;
    }
  }

  #markExhausted(key: string): void {
    this.#exhausted.add(key);
    if (this.#exhausted.size > MAX_EXHAUSTED_KEYS) this.#exhausted.delete(this.#exhausted.values().next().value as string);
  }

  #discard(key: string, opened: Promise<OpenCursor>, cursor: OpenCursor, broken: boolean): Promise<void> {
    if (this.#cursors.get(key) === opened) this.#cursors.delete(key);
    return closeAndRelease(cursor, broken);
  }
}

/** Closes the driver cursor and releases its lease: broken when closing failed. */
async function closeAndRelease(cursor: OpenCursor, broken: boolean): Promise<void> {
  const clean = await cursor.close();
  await cursor.lease.release(broken || !clean);
}
