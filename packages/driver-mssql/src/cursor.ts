import type { DriverCursor, Row } from "@sqlblocks/core/driver";
import type mssql from "mssql";

/** How long `close()` waits for SQL Server to acknowledge a cancel before giving up on it. */
const CANCEL_WAIT_MS = 30_000;

/**
 * A server-side cursor over a streaming mssql request.
 *
 * The request starts paused and is resumed only while a `read(n)` wants rows, so TDS
 * back-pressure keeps the rest of the result on the server and memory stays flat.
 * Closing before the end cancels the request (an ATTENTION to the server) and waits
 * until tedious has drained it, so the connection goes back to the pool clean.
 */
export class StreamingCursor implements DriverCursor {
  readonly #request: mssql.Request;
  #rows: Row[] = [];
  #wanted = 0;
  #finished = false;
  #failed = false;
  #error: unknown;
  #closed = false;
  #wake: (() => void) | undefined;
  readonly #settled: Promise<void>;

  /** Starts `sql` on `request` (inputs already bound) in streaming mode. */
  constructor(request: mssql.Request, sql: string) {
    this.#request = request;
    let settle!: () => void;
    this.#settled = new Promise((resolve) => {
      settle = resolve;
    });
    request.stream = true;
    request.on("row", (row: Row) => {
      if (this.#closed) return;
      this.#rows.push(row);
      if (this.#rows.length >= this.#wanted) request.pause();
      this.#notify();
    });
    request.on("error", (error: unknown) => {
      if (!this.#failed) {
        this.#failed = true;
        this.#error = error;
      }
      this.#notify();
    });
    request.on("done", () => {
      this.#finished = true;
      settle();
      this.#notify();
    });
    // Paused before it starts: nothing is read until someone asks.
    request.pause();
    void request.query(sql);
  }

  async read(count: number): Promise<Row[]> {
    if (this.#closed) return [];
    this.#wanted = count;
    while (this.#rows.length < count && !this.#finished && !this.#failed) {
      const woken = new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#request.resume();
      await woken;
    }
    if (this.#failed) throw this.#error;
    if (!this.#finished) this.#request.pause();
    if (this.#rows.length <= count) {
      const rows = this.#rows;
      this.#rows = [];
      return rows;
    }
    return this.#rows.splice(0, count);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#rows = [];
    if (this.#finished) return;
    this.#request.cancel();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CANCEL_WAIT_MS);
      timer.unref();
    });
    try {
      await Promise.race([this.#settled, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

/** A cursor for a statement that produced no rows (or whose rows were already read). */
export function emptyCursor(): DriverCursor {
  return { read: async () => [], close: async () => {} };
}
