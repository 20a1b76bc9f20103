import { once } from "node:events";
import { finished } from "node:stream/promises";
import type { Transform, Writable } from "node:stream";

/** Writes one record, waiting for the stream to drain when its buffer is full (backpressure). */
export async function drain(stream: Transform | Writable, record: unknown): Promise<void> {
  if (!stream.write(record)) await once(stream, "drain");
}

/** Ends `stream` and waits until `out` has flushed everything. */
export async function finish(stream: Transform | Writable, out: Writable): Promise<void> {
  stream.end();
  if (stream !== out) await finished(stream);
  await finished(out);
}
