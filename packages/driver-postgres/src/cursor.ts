import type { DriverCursor, Row } from "@sqlblocks/core/driver";
import pg, { type Connection, type FieldDef, type PoolClient, type Submittable } from "pg";

/** How long closing a cursor may wait for the server before the connection is given up. */
const CLOSE_TIMEOUT_MS = 10_000;

/** The messages of the extended query protocol this cursor writes (pg's `Connection`). */
interface Wire {
  readonly stream: { cork?(): void; uncork?(): void };
  parse(message: { text: string }): void;
  bind(message: { portal: string; values: readonly (string | Buffer | null)[]; binary?: boolean }): void;
  describe(message: { type: "P"; name: string }): void;
  execute(message: { portal: string; rows: number }): void;
  close(message: { type: "P"; name: string }): void;
  flush(): void;
  sync(): void;
  sendCopyFail(message: string): void;
}

/** What this cursor uses of pg's `Result`: the row parser that applies pg's type parsers. */
interface RowParser {
  addFields(fields: FieldDef[]): void;
  parseRow(values: unknown[]): Row;
}

/** pg's value serialisation (Dates, arrays, Buffers, `toPostgres`), as `pool.query` uses it. */
const { prepareValue } = (pg as unknown as { utils: { prepareValue(value: unknown): string | Buffer | null } }).utils;

let portalCounter = 0;

/** A read waiting for rows: it is answered once `count` rows are buffered or the result is over. */
interface Waiter {
  count: number;
  resolve(rows: Row[]): void;
  reject(error: unknown): void;
}

/**
 * A named portal read `n` rows at a time over the extended query protocol, submitted to a
 * pg client like any query: pg calls the `handle…` methods as messages arrive, and keeps
 * other queries queued until this one has seen ReadyForQuery.
 *
 * It spends as few round trips as the protocol allows:
 * - the first read writes Parse, Bind, Describe, Execute(n) and Flush in one corked write;
 * - when the portal finishes (CommandComplete instead of PortalSuspended), Close and Sync
 *   follow at once; the last rows are handed back on ReadyForQuery, once the server has
 *   committed the statement's implicit transaction, and closing then costs nothing;
 * - while the portal stays open, the next page is asked for (Execute(n) + Flush) as soon
 *   as a page is handed back, so the server produces it while the caller works;
 * - closing an open portal is Close + Sync.
 *
 * At most the page being read and the one read ahead are held in memory. Rows are parsed by
 * pg's `Result`, so pg's type parsers (and a client's custom `types`) apply exactly as for
 * `pool.query`.
 */
class PortalCursor implements Submittable {
  /** pg's client gives its own type parsers to a query's `_result` when it has none. */
  readonly _result: RowParser & { _types?: unknown };
  /** Set by pg's client when it runs in binary mode. */
  binary = false;
  /** Set by pg's client when `query_timeout` is configured: called once the cursor is over. */
  callback: ((error: unknown) => void) | undefined;

  readonly #portal = `sqlb_portal_${++portalCounter}`;
  readonly #values: (string | Buffer | null)[];
  #wire: Wire | undefined;
  /** Rows received and not yet handed back. */
  #buffer: Row[] = [];
  #submitted = false;
  #firstCount = 0;
  /** An Execute is on the wire: rows arrive until PortalSuspended or CommandComplete. */
  #executing = false;
  /** Close + Sync (or Sync after an error) is on the wire. */
  #syncSent = false;
  /** The server answered our Sync: the cursor is over and the connection free. */
  #ready = false;
  /** Set by close(): rows still arriving are dropped. */
  #closing = false;
  /** The statement only reads: its last page is handed back at CommandComplete, before ReadyForQuery. */
  readonly #readOnly: boolean;
  /** CommandComplete was seen: no more rows will arrive. */
  #complete = false;
  #failure: unknown;
  #rowFailure: unknown;
  #waiter: Waiter | undefined;
  readonly #settled: Array<(error?: unknown) => void> = [];

  constructor(
    readonly text: string,
    values: readonly unknown[],
    readOnly: boolean,
  ) {
    this.#readOnly = readOnly;
    // Serialise up front: a value pg cannot send fails here, before anything is written.
    this.#values = values.map((value) => prepareValue(value));
    this._result = new pg.Result("object", undefined as never) as unknown as RowParser & { _types?: unknown };
  }

  get failure(): unknown {
    return this.#failure;
  }

  /** True when there is nothing left to close. */
  get finished(): boolean {
    return this.#ready || !this.#submitted;
  }

  // ------------------------------------------------------------ driven by the caller

  /** Reads up to `count` rows; the first call sends the statement through `client`. */
  read(client: PoolClient, count: number): Promise<Row[]> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#waiter !== undefined || this.#closing) return Promise.reject(new Error("a cursor read is already in progress"));
    const rows = new Promise<Row[]>((resolve, reject) => {
      this.#waiter = { count, resolve, reject };
    });
    if (!this.#submitted) {
      this.#submitted = true;
      this.#executing = true;
      this.#firstCount = count;
      client.query(this);
    } else {
      this.#answer();
    }
    return rows;
  }

  /** Closes the portal if it is still open and waits until the server is ready again. */
  async close(): Promise<void> {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.finished) return;
    this.#closing = true;
    this.#buffer = [];
    if (!this.#syncSent) this.#finish();
    await new Promise<void>((resolve, reject) => {
      this.#settled.push((error) => (error === undefined ? resolve() : reject(error)));
    });
  }

  // ------------------------------------------------------------ driven by pg's client

  submit(connection: Connection): void {
    const wire = connection as unknown as Wire;
    this.#wire = wire;
    this.#write(() => {
      wire.parse({ text: this.text });
      wire.bind({ portal: this.#portal, values: this.#values, binary: this.binary });
      wire.describe({ type: "P", name: this.#portal });
      wire.execute({ portal: this.#portal, rows: this.#firstCount });
      wire.flush();
    });
  }

  handleRowDescription(message: { fields: FieldDef[] }): void {
    this._result.addFields(message.fields);
  }

  handleDataRow(message: { fields: unknown[] }): void {
    if (this.#closing || this.#failure !== undefined || this.#rowFailure !== undefined) return;
    try {
      this.#buffer.push(this._result.parseRow(message.fields));
    } catch (error) {
      // A type parser threw (e.g. malformed JSON): the cursor fails once the server is done.
      this.#rowFailure = error;
    }
  }

  handlePortalSuspended(): void {
    this.#executing = false;
    if (this.#rowFailure !== undefined) {
      this.#fail(this.#rowFailure);
      return;
    }
    if (!this.#closing) this.#answer();
  }

  handleCommandComplete(): void {
    this.#executing = false;
    this.#complete = true;
    if (!this.#syncSent) this.#finish();
    // A read-only statement cannot fail at commit: hand its last rows back now and let the
    // server confirm the end while the caller works on (close() waits for that).
    if (this.#readOnly && this.#rowFailure === undefined && !this.#closing) this.#answer();
  }

  handleEmptyQuery(): void {
    this.handleCommandComplete();
  }

  handleCopyInResponse(): void {
    this.#wire?.sendCopyFail("COPY FROM STDIN cannot run through a sqlblocks cursor");
  }

  handleCopyData(): void {}

  handleReadyForQuery(): void {
    if (this.#failure !== undefined) return;
    this.#ready = true;
    this.#executing = false;
    if (this.#rowFailure !== undefined) {
      this.#fail(this.#rowFailure);
      return;
    }
    this.#answer();
    for (const settle of this.#settled.splice(0)) settle();
    this.callback?.(null);
  }

  handleError(error: unknown): void {
    if (this.#ready || this.#failure !== undefined) return;
    // After an ErrorResponse the server skips everything up to the next Sync. On a dead
    // connection the write is a no-op.
    if (this.#wire !== undefined && !this.#syncSent) {
      this.#syncSent = true;
      this.#wire.sync();
    }
    this.#fail(error);
  }

  // ------------------------------------------------------------ helpers

  /**
   * Answers the waiting read when it can be: `count` rows are buffered, or the server has
   * confirmed the end of the result. Otherwise asks the server for the missing rows. After
   * a full page, the next page is asked for ahead of the next read.
   */
  #answer(): void {
    const waiter = this.#waiter;
    if (waiter === undefined) return;
    const buffered = this.#buffer.length;
    const over = this.#ready || (this.#readOnly && this.#complete);
    if (buffered < waiter.count && !over) {
      if (!this.#executing && !this.#syncSent) this.#execute(waiter.count - buffered);
      return;
    }
    this.#waiter = undefined;
    let rows: Row[];
    if (buffered <= waiter.count) {
      rows = this.#buffer;
      this.#buffer = [];
    } else {
      rows = this.#buffer.splice(0, waiter.count);
    }
    if (!this.#executing && !this.#syncSent) this.#execute(waiter.count);
    waiter.resolve(rows);
  }

  #execute(count: number): void {
    this.#executing = true;
    this.#write((wire) => {
      wire.execute({ portal: this.#portal, rows: count });
      wire.flush();
    });
  }

  /** Close + Sync: ends the portal and the implicit transaction in one write. */
  #finish(): void {
    this.#syncSent = true;
    this.#write((wire) => {
      wire.close({ type: "P", name: this.#portal });
      wire.sync();
    });
  }

  #fail(error: unknown): void {
    this.#failure = error;
    this.#buffer = [];
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(error);
    for (const settle of this.#settled.splice(0)) settle(error);
    this.callback?.(error);
  }

  /** Several messages in one socket write: without cork each would be its own syscall. */
  #write(send: (wire: Wire) => void): void {
    const wire = this.#wire;
    if (wire === undefined) return;
    wire.stream.cork?.();
    try {
      send(wire);
    } finally {
      wire.stream.uncork?.();
    }
  }
}

/**
 * A server-side cursor on one pg client: a named portal read with `Execute n`, so only the
 * rows asked for travel over the wire and memory stays flat on huge results.
 *
 * For a read-only statement (`readOnly`), the last page is handed back as soon as the
 * server says the result is complete, without waiting for the round trip of Close + Sync;
 * `close()` then waits for it.
 *
 * Once a read has failed (an SQL error, or the backend was terminated), closing rejects
 * with that failure, so core releases the connection as broken. Closing an open portal
 * waits at most {@link CLOSE_TIMEOUT_MS} for the server.
 */
export function openPgCursor(client: PoolClient, sql: string, values: readonly unknown[], readOnly = false): DriverCursor {
  const cursor = new PortalCursor(sql, values, readOnly);
  return {
    read(count) {
      return cursor.read(client, count);
    },
    async close() {
      if (cursor.failure !== undefined) throw cursor.failure;
      if (cursor.finished) return;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`Connection terminated: the server did not confirm closing the cursor within ${CLOSE_TIMEOUT_MS} ms`)),
          CLOSE_TIMEOUT_MS,
        );
        timer.unref();
      });
      try {
        await Promise.race([cursor.close(), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
