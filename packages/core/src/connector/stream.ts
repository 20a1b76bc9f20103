import type { Row } from "../driver/contract.js";
import { InvalidParametersError } from "../errors.js";
import type { Lease } from "./lease.js";
import type { StatementRunner } from "./runner.js";
import type { Params, StreamOptions } from "./types.js";

/** Rows per chunk when `chunkSize` is not given. */
const DEFAULT_CHUNK_SIZE = 1000;

/** Checks `chunkSize` before anything runs. */
export function chunkSizeOf(options: StreamOptions): number {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new InvalidParametersError(`chunkSize must be a positive integer, got ${String(options.chunkSize)}`);
  }
  return chunkSize;
}

/**
 * Streams a result in chunks through a server-side cursor on a `stream` lease. Leaving the
 * loop early closes the cursor and releases the connection; `close()` of the connector ends
 * the lease, and the next chunk then fails. Observed once, as one `stream` statement whose
 * failure carries the wrapped error's code.
 */
export async function* streamRows<T extends Row>(
  runner: StatementRunner,
  acquire: () => Promise<Lease>,
  isConnectionFailure: (error: unknown) => boolean,
  sql: string,
  params: Params | undefined,
  chunkSize: number,
): AsyncGenerator<T[], void, undefined> {
  const compiled = runner.compile(sql, params);
  const observation = runner.begin("stream", sql);
  let lease: Lease | undefined;
  let failure: unknown;
  let rowCount = 0;
  let opened = false;
  try {
    lease = await acquire();
    const cursor = await lease.connection.openCursor(compiled.sql, compiled.values);
    lease.hold(cursor);
    while (true) {
      if (lease.released) throw new Error("the connector was closed while this stream was open");
      // The first read opens the stream (in the turn it was acquired with, on a single-connection
      // database, given back after it); later reads take a turn each.
      const rows = opened ? await lease.inTurn(() => cursor.read(chunkSize)) : await cursor.read(chunkSize);
      opened = true;
      lease.opened();
      rowCount += rows.length;
      observation.chunk(rows.length);
      if (rows.length > 0) yield rows as T[];
      if (rows.length < chunkSize) break;
    }
  } catch (error) {
    failure = error;
    throw observation.fail(error);
  } finally {
    const broken = failure !== undefined && isConnectionFailure(failure);
    const clean = (await lease?.closeCursor()) ?? true;
    await lease?.release(broken || !clean);
    if (failure === undefined) observation.succeed(rowCount);
  }
}
