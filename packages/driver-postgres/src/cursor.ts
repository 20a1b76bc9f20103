import type { DriverCursor, Row } from "@sqlblocks/core/driver";
import type { PoolClient } from "pg";
import Cursor from "pg-cursor";

/** How long closing a cursor may wait for the server before the connection is given up. */
const CLOSE_TIMEOUT_MS = 10_000;

/**
 * A server-side cursor (pg-cursor: a named portal read with `Execute n`), so only the
 * rows asked for travel over the wire and memory stays flat on huge results.
 *
 * Once a read has failed (an SQL error, or the backend was terminated) the portal is not
 * closed again: on a dead connection pg-cursor would wait forever for the server. Closing
 * then rejects with the failure, so core releases the connection as broken.
 */
export function openPgCursor(client: PoolClient, sql: string, values: readonly unknown[]): DriverCursor {
  const cursor = client.query(new Cursor<Row>(sql, values.length > 0 ? [...values] : undefined));
  let failure: unknown;
  let finished = false;
  return {
    async read(count) {
      if (failure !== undefined) throw failure;
      if (finished) return [];
      try {
        const rows = await cursor.read(count);
        if (rows.length < count) finished = true;
        return rows;
      } catch (error) {
        failure = error;
        throw error;
      }
    },
    async close() {
      if (failure !== undefined) throw failure;
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
