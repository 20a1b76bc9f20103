import type { DriverCursor, Row } from "../driver/contract.js";
import type { Lease } from "./lease.js";

/**
 * A fetch cursor kept open between `fetchOne` / `fetchMany` calls for one (sql, params).
 *
 * It reads one row ahead of what was asked, so it knows it is exhausted as soon as the
 * last row is handed out and can release its connection at once.
 */
export class OpenCursor {
  #buffer: Row[] = [];
  #done = false;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    /** The connection the cursor holds until it is discarded. */
    readonly lease: Lease,
    readonly cursor: DriverCursor,
    /** The statement only reads: its connection may be given back after the caller has its rows. */
    readonly readOnly: boolean,
  ) {
    lease.hold(cursor);
  }

  /** True once every row has been handed out. */
  get exhausted(): boolean {
    return this.#done && this.#buffer.length === 0;
  }

  /** The next `count` rows (or all remaining rows when `count` is Infinity). Calls run one at a time. */
  take(count: number, chunk: number): Promise<Row[]> {
    const next = this.#queue.then(() => this.#take(count, chunk));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #take(count: number, chunk: number): Promise<Row[]> {
    while (!this.#done && this.#buffer.length <= count) {
      const wanted = Number.isFinite(count) ? count - this.#buffer.length + 1 : chunk;
      const rows = await this.cursor.read(wanted);
      this.#done = rows.length < wanted;
      if (this.#buffer.length === 0) this.#buffer = rows;
      else for (const row of rows) this.#buffer.push(row);
      if (!Number.isFinite(count) && this.#done) break;
    }
    if (!Number.isFinite(count) || count >= this.#buffer.length) {
      const all = this.#buffer;
      this.#buffer = [];
      return all;
    }
    return this.#buffer.splice(0, count);
  }

  /** Closes the driver cursor (once, through its lease); resolves true when it closed cleanly. */
  close(): Promise<boolean> {
    this.#buffer = [];
    return this.lease.closeCursor();
  }
}
