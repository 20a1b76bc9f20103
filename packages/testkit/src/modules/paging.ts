import { TooManyCursorsError } from "@sqlblocks/core";
import { expect } from "vitest";
import type { SuiteContext } from "../context.js";
import { lowerKeys } from "../helpers.js";

/**
 * Paging with fetchOne / fetchMany / fetchAll: cursors per (sql, params), reset, auto-release, limits.
 */
export function pagingTests(ctx: SuiteContext): void {
  const { table, make, seed, test } = ctx;

  test("fetchMany pages on from where the last call stopped, then returns nothing", async () => {
    await seed(5);
    const sql = `SELECT id FROM ${table} ORDER BY id`;
    const pages: number[][] = [];
    for (let page = 0; page < 4; page++) {
      pages.push((await ctx.connector.fetchMany(sql, {}, 2)).map((r) => Number(lowerKeys(r)?.id)));
    }
    expect(pages).toEqual([[1, 2], [3, 4], [5], []]);
    expect(ctx.connector.openCursorCount).toBe(0);
  });

  test("fetchMany defaults to fetchSize, fetchOne pages one row at a time", async () => {
    await seed(3);
    const sized = make({ fetchSize: 2 });
    try {
      const sql = `SELECT id FROM ${table} ORDER BY id`;
      expect((await sized.fetchMany(sql)).length).toBe(2);
      expect(Number(lowerKeys(await sized.fetchOne(sql))?.id)).toBe(3);
      expect(await sized.fetchOne(sql)).toBeUndefined();
    } finally {
      await sized.close();
    }
  });

  test("fetchAll returns the remaining rows of an open cursor", async () => {
    await seed(5);
    const sql = `SELECT id FROM ${table} ORDER BY id`;
    await ctx.connector.fetchMany(sql, {}, 2);
    expect((await ctx.connector.fetchAll(sql)).map((r) => Number(lowerKeys(r)?.id))).toEqual([3, 4, 5]);
    expect(ctx.connector.openCursorCount).toBe(0);
  });

  test("each (sql, params) pair has its own cursor", async () => {
    await seed(6);
    const sql = `SELECT id FROM ${table} WHERE id > :after ORDER BY id`;
    expect((await ctx.connector.fetchMany(sql, { after: 0 }, 2)).map((r) => Number(lowerKeys(r)?.id))).toEqual([1, 2]);
    expect((await ctx.connector.fetchMany(sql, { after: 3 }, 2)).map((r) => Number(lowerKeys(r)?.id))).toEqual([4, 5]);
    expect((await ctx.connector.fetchMany(sql, { after: 0 }, 2)).map((r) => Number(lowerKeys(r)?.id))).toEqual([3, 4]);
    expect(ctx.connector.openCursorCount).toBe(2);
    await ctx.connector.resetConnections();
  });

  test("an exhausted cursor releases its connection at once", async () => {
    await seed(3);
    const small = make({ pool: { max: 2 } });
    try {
      // More exhausted cursors than the pool has connections: a leak would hang here.
      for (let i = 0; i < 6; i++) {
        const rows = await small.fetchMany(`SELECT id FROM ${table} WHERE id <= :n ORDER BY id`, { n: i }, 10);
        expect(rows.length).toBe(Math.min(i, 3));
        expect(small.openCursorCount).toBe(0);
      }
    } finally {
      await small.close();
    }
  });

  test("resetConnections closes cursors: the next fetch starts from row 1", async () => {
    await seed(4);
    const sql = `SELECT id FROM ${table} ORDER BY id`;
    await ctx.connector.fetchMany(sql, {}, 3);
    expect(ctx.connector.openCursorCount).toBe(1);
    await ctx.connector.resetConnections();
    expect(ctx.connector.openCursorCount).toBe(0);
    expect((await ctx.connector.fetchMany(sql, {}, 2)).map((r) => Number(lowerKeys(r)?.id))).toEqual([1, 2]);
    await ctx.connector.resetConnections();
  });

  test("too many open cursors is a clear error", async () => {
    await seed(5);
    const limited = make({ maxOpenCursors: 2 });
    try {
      const sql = `SELECT id FROM ${table} WHERE id >= :n ORDER BY id`;
      await limited.fetchOne(sql, { n: 1 });
      await limited.fetchOne(sql, { n: 2 });
      await expect(limited.fetchOne(sql, { n: 3 })).rejects.toBeInstanceOf(TooManyCursorsError);
      await limited.resetConnections();
      expect(await limited.fetchOne(sql, { n: 3 })).toBeDefined();
    } finally {
      await limited.close();
    }
  });
}
