import type { CursorOptions, FirstPage, Row } from "../driver/contract.js";
import { TooManyCursorsError } from "../errors.js";
import { OpenCursor } from "./cursor.js";
import type { Lease } from "./lease.js";
import type { BoundStatement, Observation, StatementRunner } from "./runner.js";
import { ResultKey, ResultKeySet } from "./result-keys.js";
import type { Params } from "./types.js";

const FETCH_ALL_CHUNK = 10_000;
/** How many exhausted results are remembered, at most; the oldest are forgotten first (half at a time). */
const MAX_EXHAUSTED_KEYS = 10_000;

/** The cursor options of a statement that only reads, and of one that may write (shared: the driver only reads them). */
const READ_ONLY: CursorOptions = Object.freeze({ readOnly: true });
const WRITING: CursorOptions = Object.freeze({ readOnly: false });

/** What a fetch answers: every row of its page (`fetchMany`, `fetchAll`). */
export function allRows(rows: Row[]): Row[] {
  return rows;
}

/** What `fetchOne` answers: the first row of its page, if any. */
export function firstRow(rows: Row[]): Row | undefined {
  return rows[0];
}

/** A page of rows as `pick` answers it: unchanged for {@link allRows}, without another promise. */
function picked<T>(rows: Promise<Row[]>, pick: (rows: Row[]) => T): Promise<T> {
  return (pick as unknown) === allRows ? (rows as Promise<unknown> as Promise<T>) : rows.then(pick);
}

/** What the cache needs from the pool. */
export interface CursorConnections {
  /** A connection for a new cursor, held until the cursor is discarded. */
  acquire(): Promise<Lease>;
  /** The same without waiting, when the driver has a connection at hand; `undefined` otherwise. */
  acquireNow?(): Lease | undefined;
  /** Whether an error means the connection is lost. */
  isConnectionFailure(error: unknown): boolean;
}

/** A first fetch under way for one key: a concurrent call for the key waits for it, then looks again. */
interface Opening {
  readonly key: ResultKey;
  waiters: (() => void)[] | undefined;
}

/**
 * The fetch cursors of one connector, one per (sql, params), as prefect-sqlalchemy keeps
 * its result sets: repeated `fetchOne`/`fetchMany` calls page on, and a result read to the
 * end gives `[]` for the same (sql, params) until {@link CursorCache.reset}. An exhausted
 * cursor gives its connection back at once.
 *
 * The first fetch of a key reads one row more than asked: when the result ends within it
 * (a point lookup), the rows come back and nothing stays open, in one driver call when the
 * driver has `readFirstNow` (in-process, no await) or `readFirst`.
 */
export class CursorCache {
  /** Open cursors by {@link ResultKey.text}. */
  readonly #cursors = new Map<string, OpenCursor>();
  /** First fetches under way, by SQL text (no key text is built while they are alone). */
  readonly #opening = new Map<string, Opening[]>();
  #openingCount = 0;
  /** Results read to the end: like Python's cached result sets, they give [] until reset. */
  readonly #exhausted = new ResultKeySet(MAX_EXHAUSTED_KEYS);
  /** Counts resets: a first fetch that started before one leaves nothing behind. */
  #generation = 0;

  constructor(readonly maxOpen: number) {}

  /** How many cursors are open (or being opened). */
  get size(): number {
    return this.#cursors.size + this.#openingCount;
  }

  /**
   * The next `count` rows (`Infinity`: all remaining rows) of the (sql, params) result,
   * answered through `pick` ({@link allRows}, or {@link firstRow} for `fetchOne`: a point
   * lookup answered at once then resolves with its row, without a second promise).
   */
  fetch<T>(
    runner: StatementRunner,
    connections: CursorConnections,
    operation: string,
    sql: string,
    params: Params | undefined,
    count: number,
    pick: (rows: Row[]) => T,
  ): Promise<T> {
    let statement: BoundStatement;
    let key: ResultKey;
    try {
      statement = runner.compile(sql, params);
      key = new ResultKey(sql, params);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#exhausted.has(key)) return Promise.resolve(pick([]));
    const opening = this.#openingCount > 0 ? this.#openingFor(key) : undefined;
    if (opening !== undefined) {
      return this.#after(opening).then(() => this.fetch(runner, connections, operation, sql, params, count, pick));
    }
    const cursor = this.#cursors.size > 0 ? this.#cursors.get(key.text) : undefined;
    if (cursor !== undefined) return picked(this.#next(runner, connections, operation, sql, key, cursor, count), pick);
    if (!Number.isFinite(count)) return picked(this.#all(runner, operation, sql, params, key), pick);
    return this.#first(runner, connections, operation, key, statement, count, pick);
  }

  /** Closes every cursor and gives its connection back; the next fetch starts from row 1. */
  async reset(): Promise<void> {
    const cursors = [...this.#cursors.values()];
    const openings = [...this.#opening.values()].flat();
    this.#cursors.clear();
    this.#opening.clear();
    this.#openingCount = 0;
    this.#generation++;
    this.#exhausted.clear();
    await Promise.all([...cursors.map((cursor) => closeAndRelease(cursor, false)), ...openings.map((opening) => this.#after(opening))]);
  }

  /**
   * The first page of a result: a new cursor, kept only when the result goes on. On an
   * in-process database with a connection at hand (`connectNow`, `readFirstNow`) this runs
   * without an await.
   */
  #first<T>(
    runner: StatementRunner,
    connections: CursorConnections,
    operation: string,
    key: ResultKey,
    statement: BoundStatement,
    count: number,
    pick: (rows: Row[]) => T,
  ): Promise<T> {
    const observation = runner.begin(operation, key.sql);
    if (this.size >= this.maxOpen) return Promise.reject(observation.fail(new TooManyCursorsError(this.maxOpen)));
    const lease = connections.acquireNow?.();
    if (lease?.connection.readFirstNow === undefined) {
      return picked(this.#firstLater(connections, observation, key, statement, count, lease), pick);
    }
    let page: FirstPage;
    try {
      page = lease.connection.readFirstNow(statement.sql, statement.values, count + 1, statement.readOnly ? READ_ONLY : WRITING);
    } catch (error) {
      return lease.release(connections.isConnectionFailure(error)).then(() => {
        throw observation.fail(error);
      });
    }
    const rows = page.rows;
    const ended = this.#settle(key, lease, page, statement.readOnly, count, this.#generation);
    if (ended === undefined) {
      observation.succeed(rows.length);
      return Promise.resolve(pick(rows));
    }
    return ended.then(() => {
      observation.succeed(rows.length);
      return pick(rows);
    });
  }

  /** {@link CursorCache.#first} when the connection or the rows must be waited for. */
  async #firstLater(
    connections: CursorConnections,
    observation: Observation,
    key: ResultKey,
    statement: BoundStatement,
    count: number,
    lease: Lease | undefined,
  ): Promise<Row[]> {
    // Registered before the first await: a concurrent call for the same key pages on this
    // result instead of opening a second one.
    const opening: Opening = { key, waiters: undefined };
    this.#addOpening(opening);
    const generation = this.#generation;
    let rows: Row[];
    try {
      const leased = lease ?? (await connections.acquire());
      let page: FirstPage;
      try {
        page = await readFirst(leased, connections, statement, count + 1);
      } finally {
        // Open (or failed): a turn taken to open it goes back (single-connection databases).
        leased.opened();
      }
      rows = page.rows;
      const ended = this.#settle(key, leased, page, statement.readOnly, count, generation);
      if (ended !== undefined) await ended;
    } catch (error) {
      throw observation.fail(error);
    } finally {
      this.#removeOpening(opening);
      if (opening.waiters !== undefined) for (const wake of opening.waiters) wake();
    }
    observation.succeed(rows.length);
    return rows;
  }

  /**
   * Hands out a first page (its rows, cut to `count`): a result that ended is marked read
   * and its lease given back, one that goes on keeps its cursor. Returns what the caller
   * must wait for before answering, if anything: the end of a statement that may write (a
   * read-only one's end is confirmed while the caller works on; the lease is counted until
   * then, so close() waits for it), or closing a cursor a reset made useless.
   */
  #settle(key: ResultKey, lease: Lease, page: FirstPage, readOnly: boolean, count: number, generation: number): Promise<void> | undefined {
    const current = generation === this.#generation;
    if (page.cursor !== undefined) lease.hold(page.cursor);
    if (page.rows.length <= count) {
      if (current) this.#exhausted.add(key);
      const ended = page.cursor === undefined ? lease.release() : lease.end();
      return readOnly ? undefined : ended;
    }
    const cursor = new OpenCursor(lease, page.cursor!, readOnly, page.rows.splice(count));
    if (!current) return closeAndRelease(cursor, false);
    this.#cursors.set(key.text, cursor);
    return undefined;
  }

  /** The next page of an open cursor. */
  async #next(
    runner: StatementRunner,
    connections: CursorConnections,
    operation: string,
    sql: string,
    key: ResultKey,
    cursor: OpenCursor,
    count: number,
  ): Promise<Row[]> {
    const observation = runner.begin(operation, sql);
    let rows: Row[];
    try {
      try {
        rows = await cursor.take(count, FETCH_ALL_CHUNK);
      } catch (error) {
        // Only a broken connection is destroyed; after a plain SQL error it goes back to the pool.
        await this.#discard(key, cursor, connections.isConnectionFailure(error));
        throw error;
      }
      if (cursor.exhausted) {
        this.#exhausted.add(key);
        const discarded = this.#discard(key, cursor, false);
        // A read-only statement's end is confirmed while the caller works on (the lease is
        // counted until then, so close() waits for it).
        if (!cursor.readOnly) await discarded;
      }
    } catch (error) {
      throw observation.fail(error);
    }
    observation.succeed(rows.length);
    return rows;
  }

  /** The whole result at once when no cursor is open: a plain statement, no cursor. */
  async #all(runner: StatementRunner, operation: string, sql: string, params: Params | undefined, key: ResultKey): Promise<Row[]> {
    const result = await runner.execute(sql, params, operation);
    this.#exhausted.add(key);
    return result.rows;
  }

  #after(opening: Opening): Promise<void> {
    return new Promise<void>((resolve) => {
      opening.waiters ??= [];
      opening.waiters.push(resolve);
    });
  }

  /** The first fetch under way for the same key, if any. */
  #openingFor(key: ResultKey): Opening | undefined {
    const list = this.#opening.get(key.sql);
    if (list === undefined) return undefined;
    for (const opening of list) if (opening.key.text === key.text) return opening;
    return undefined;
  }

  #addOpening(opening: Opening): void {
    const list = this.#opening.get(opening.key.sql);
    if (list === undefined) this.#opening.set(opening.key.sql, [opening]);
    else list.push(opening);
    this.#openingCount++;
  }

  #removeOpening(opening: Opening): void {
    const list = this.#opening.get(opening.key.sql);
    const index = list?.indexOf(opening) ?? -1;
    if (list === undefined || index === -1) return;
    this.#openingCount--;
    if (list.length === 1) this.#opening.delete(opening.key.sql);
    else list.splice(index, 1);
  }

  #discard(key: ResultKey, cursor: OpenCursor, broken: boolean): Promise<void> {
    if (this.#cursors.get(key.text) === cursor) this.#cursors.delete(key.text);
    return closeAndRelease(cursor, broken);
  }
}

/**
 * Opens the statement's cursor on the lease and reads its first `count` rows (in one call
 * when the driver has `readFirstNow` or `readFirst`). On failure the cursor is closed and the lease
 * released (broken when the connection is in doubt).
 */
async function readFirst(lease: Lease, connections: CursorConnections, statement: BoundStatement, count: number): Promise<FirstPage> {
  const { connection } = lease;
  const options = statement.readOnly ? READ_ONLY : WRITING;
  try {
    if (connection.readFirstNow !== undefined) return connection.readFirstNow(statement.sql, statement.values, count, options);
    if (connection.readFirst !== undefined) return await connection.readFirst(statement.sql, statement.values, count, options);
    const cursor = await connection.openCursor(statement.sql, statement.values, options);
    lease.hold(cursor);
    return { rows: await cursor.read(count), cursor };
  } catch (error) {
    const clean = await lease.closeCursor();
    await lease.release(!clean || connections.isConnectionFailure(error));
    throw error;
  }
}

/** Closes the driver cursor and releases its lease: broken when closing failed. */
async function closeAndRelease(cursor: OpenCursor, broken: boolean): Promise<void> {
  const clean = await cursor.close();
  await cursor.lease.release(broken || !clean);
}
