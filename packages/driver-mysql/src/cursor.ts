import type { DriverCursor, Row } from "@sqlblocks/core/driver";
import type { FieldPacket, PoolConnection, QueryError } from "mysql2";

/** Rows buffered ahead of the reader before the socket is paused. */
export const HIGH_WATER_ROWS = 1000;

/** A streaming cursor, with a peek at its buffer for tests and diagnostics. */
export interface MysqlCursor extends DriverCursor {
  /** Rows received from the server and not yet read. */
  readonly bufferedRows: number;
}

/**
 * A streaming query: mysql2 emits rows as they arrive, and the cursor pauses the socket
 * whenever `max(HIGH_WATER_ROWS, last read size)` rows wait in its buffer, so TCP
 * back-pressure holds the rest on the server and memory stays flat.
 *
 * MySQL has no portals: closing a cursor before the end of its result cannot stop the
 * server from sending. The cursor then destroys the connection (mysql2 removes it from
 * the pool, the pool opens a new one when needed) rather than pool a connection that is
 * still mid-result.
 */
export function openMysqlCursor(connection: PoolConnection, sql: string, values: unknown[] | undefined): MysqlCursor {
  let buffer: Row[] = [];
  let highWater = HIGH_WATER_ROWS;
  let wanted = 0;
  let isResultSet = false;
  let ended = false;
  let paused = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const fail = (error: unknown) => {
    failure ??= error;
    ended = true;
    notify();
  };

  // A lost connection is reported on the connection, not on a query without a callback.
  connection.on("error", fail);
  const query = connection.query(values === undefined ? { sql } : { sql, values });
  query.on("fields", (fields: FieldPacket[] | undefined) => {
    isResultSet = fields !== undefined;
  });
  query.on("result", (row: Row) => {
    // A statement without a result set reports its OK packet as a "result".
    if (!isResultSet) return;
    buffer.push(row);
    if (!paused && buffer.length >= highWater) {
      paused = true;
      connection.pause();
    }
    if (buffer.length >= wanted) notify();
  });
  query.on("error", (error: QueryError) => fail(error));
  query.on("end", () => {
    ended = true;
    // The result is complete: the connection is the pool's concern again.
    connection.removeListener("error", fail);
    notify();
  });

  return {
    get bufferedRows() {
      return buffer.length;
    },
    async read(count) {
      highWater = Math.max(HIGH_WATER_ROWS, count);
      wanted = count;
      while (failure === undefined && buffer.length < wanted && !ended) {
        if (paused) {
          paused = false;
          // resume() may hand over queued rows synchronously: look again before waiting.
          connection.resume();
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
      if (failure !== undefined) throw failure;
      if (buffer.length <= count) {
        // The common case of a short result: hand over the buffer instead of copying it.
        const rows = buffer;
        buffer = [];
        return rows;
      }
      return buffer.splice(0, count);
    },
    async close() {
      buffer = [];
      if (ended) return;
      connection.removeListener("error", fail);
      ended = true;
      // Mid-result: the connection cannot be reused. Drop the socket at once so the server
      // stops sending (its write fails) instead of waiting on a paused reader.
      connection.destroy();
      (connection as unknown as { stream?: { destroy(): void } }).stream?.destroy();
    },
  };
}
