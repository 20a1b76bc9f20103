import { describe, expect } from "vitest";
import type { SuiteContext } from "../context.js";
import { lowerKeys } from "../helpers.js";

/**
 * Values and type mapping: the portable round trips every driver must give back exactly
 * (integers, text with quotes and non-ASCII characters, NULL), then the driver's own
 * `values` cases with its expected JavaScript types (bigint, decimal, dates, booleans, JSON …).
 */
export function valueTests(ctx: SuiteContext): void {
  const { table, reset, test } = ctx;

  describe("values", () => {
    test("integers, text and NULL round-trip through a table unchanged", async () => {
      await reset();
      const rows = [
        { id: 1, name: "plain", score: 0 },
        { id: 2, name: "it's \"quoted\" and :colon", score: -2147483648 },
        { id: 3, name: "ünïcødé ✓ 漢字 🚀", score: 2147483647 },
        { id: 4, name: null, score: null },
        { id: 5, name: "", score: 42 },
      ];
      await ctx.connector.executeMany(`INSERT INTO ${table} (id, name, score) VALUES (:id, :name, :score)`, rows);
      const back = (await ctx.connector.fetchAll(`SELECT id, name, score FROM ${table} ORDER BY id`)).map((row) => {
        const lower = lowerKeys(row) ?? {};
        return { id: Number(lower.id), name: lower.name, score: lower.score === null ? null : Number(lower.score) };
      });
      // Oracle reads '' as NULL; every other database keeps the empty string.
      const expected = rows.map((row) => (row.name === "" && ctx.url.startsWith("oracle") ? { ...row, name: null } : row));
      expect(back).toEqual(expected);
    });

    test("a parameter compares equal to the stored value (the driver binds types, not text)", async () => {
      await reset();
      await ctx.connector.execute(`INSERT INTO ${table} (id, name, score) VALUES (:id, :name, :score)`, { id: 7, name: "seven", score: 70 });
      expect((await ctx.connector.fetchAll(`SELECT id FROM ${table} WHERE score = :score AND name = :name`, { score: 70, name: "seven" })).length).toBe(1);
      expect((await ctx.connector.fetchAll(`SELECT id FROM ${table} WHERE score > :score`, { score: 69 })).length).toBe(1);
      expect((await ctx.connector.fetchAll(`SELECT id FROM ${table} WHERE score > :score`, { score: 70 })).length).toBe(0);
    });

    for (const valueCase of ctx.options.values ?? []) {
      test(`type mapping: ${valueCase.name}`, async () => {
        const rows = await ctx.connector.fetchAll(valueCase.sql, valueCase.params ?? {});
        expect(rows).toHaveLength(1);
        expect(rows[0]).toEqual(valueCase.expected);
      });
    }
  });
}
