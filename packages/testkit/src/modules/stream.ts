import { expect } from "vitest";
import { count, type SuiteContext } from "../context.js";

/**
 * Streaming in chunks; an early break releases the connection.
 */
export function streamTests(ctx: SuiteContext): void {
  const { table, make, seed, test } = ctx;

  test("stream yields chunks and an early break releases the connection", async () => {
    await seed(25);
    const small = make({ pool: { max: 2 } });
    try {
      const sizes: number[] = [];
      for await (const chunk of small.stream(`SELECT id FROM ${table} ORDER BY id`, {}, { chunkSize: 10 })) {
        sizes.push(chunk.length);
      }
      expect(sizes).toEqual([10, 10, 5]);
      for (let i = 0; i < 5; i++) {
        for await (const chunk of small.stream(`SELECT id FROM ${table} ORDER BY id`, {}, { chunkSize: 4 })) {
          expect(chunk.length).toBe(4);
          break;
        }
      }
      // Both pooled connections must be free again: two concurrent statements complete.
      const [a, b] = await Promise.all([
        small.fetchAll(`SELECT COUNT(*) AS n FROM ${table}`),
        small.fetchAll(`SELECT COUNT(*) AS n FROM ${table} WHERE id > :n`, { n: 0 }),
      ]);
      expect(count(a[0])).toBe(25);
      expect(count(b[0])).toBe(25);
    } finally {
      await small.close();
    }
  });
}
