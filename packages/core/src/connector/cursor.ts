import type { DriverCursor, Row } from "../driver/contract.js";
import type { Lease } from "./lease.js";

/**
 * A fetch cursor kept open between `fetchOne` / `fetchMany` calls for one (sql, params).
 *
 * It reads one row ahead of what was asked, so it knows it is exhausted as soon as the
 * last row is handed out and can release its connection at once.
 */
export class OpenCursor {
  #buffer: Row[];
  #done = false;
  /** The read in progress, if any: the next call waits for it, so calls run one at a time. */
  #busy: Promise<unknown> | undefined;

  constructor(
    /** The connection the cursor holds until it is discarded. */
    readonly lease: Lease,
    readonly cursor: DriverCursor,
    /** The statement only reads: its connection may be given back after the caller has its rows. */
    readonly readOnly: boolean,
    /** Rows already read and not handed out yet (the row read ahead of the first page). */
    buffered: Row[] = [],
  ) {
    this.#buffer = buffered;
    lease.hold(cursor);
  }

  /** True once every row has been handed out. */
  get exhausted(): boolean {
    return this.#done && this.#buffer.length === 0;
  }

  /**
   * The next `count` rows (or all remaining rows when `count` is Infinity). Calls run one
   * at a time. When the buffer already answers the call and nothing is in progress, the
   * rows come back without a driver read (and without a promise).
   */
  take(count: number, chunk: number): Row[] | Promise<Row[]> {
    if (this.#busy === undefined && this.#answerable(count)) return this.#cut(count);
    const previous = this.#busy ?? Promise.resolve();
    const next = previous.then(() => this.#take(count, chunk));
    const busy: Promise<void> = next.then(
      () => this.#settle(busy),
      () => this.#settle(busy),
    );
    this.#busy = busy;
    return next;
  }

  /** Closes the driver cursor (once, through its lease); resolves true when it closed cleanly. */
  close(): Promise<boolean> {
    this.#buffer = [];
    return this.lease.closeCursor();
  }

  #settle(busy: Promise<unknown>): void {
    if (this.#busy === busy) this.#busy = undefined;
  }

  /** The buffer holds the answer: `count` rows and one more (or the rest, once done). */
  #answerable(count: number): boolean {
    return this.#done ? true : Number.isFinite(count) && this.#buffer.length > count;
  }

  async #take(count: number, chunk: number): Promise<Row[]> {
    while (!this.#answerable(count)) {
      const wanted = Number.isFinite(count) ? count - this.#buffer.length + 1 : chunk;
      const rows = await this.lease.inTurn(() => this.cursor.read(wanted));
      this.#done = rows.length < wanted;
      if (this.#buffer.length === 0) this.#buffer = rows;
      else for (const row of rows) this.#buffer.push(row);
    }
    return this.#cut(count);
  }

  #cut(count: number): Row[] {
    if (!Number.isFinite(count) || count >= this.#buffer.length) {
      const all = this.#buffer;
      this.#buffer = [];
      return all;
    }
    return this.#buffer.splice(0, count);
  }
}
