import { randomBytes } from "node:crypto";

let lastMs = 0;
let sequence = 0;
let pool = Buffer.alloc(0);
let poolOffset = 0;

function random(count: number): Buffer {
  if (poolOffset + count > pool.length) {
    pool = randomBytes(4096);
    poolOffset = 0;
  }
  const out = pool.subarray(poolOffset, poolOffset + count);
  poolOffset += count;
  return out;
}

/**
 * A UUID version 7: time-ordered, so run ids sort in the order runs were created, even
 * within one millisecond (a 12-bit counter fills `rand_a`, as RFC 9562 allows).
 */
export function newRunId(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    sequence = 0;
  } else {
    sequence++;
    if (sequence > 0xfff) {
      lastMs++;
      sequence = 0;
    }
  }
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(lastMs, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  random(8).copy(bytes, 8);
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
