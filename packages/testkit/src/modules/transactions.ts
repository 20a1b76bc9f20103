import { DatabaseError } from "@sqlblocks/core";
import { describe, expect } from "vitest";
import { count, rejection, type SuiteContext } from "../context.js";
import { lowerKeys } from "../helpers.js";
import type { IsolationLevel } from "../options.js";

/** The four SQL isolation levels. */
export const ISOLATION_LEVELS: readonly IsolationLevel[] = ["READ UNCOMMITTED", "READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE"];

function normalized(value: unknown): string {
  return String(value).toLowerCase().replace(/[-_]/g, " ").trim();
}

/**
 * Transactions: commit, rollback, and every isolation level the database supports (the
 * level is checked with the driver's `isolationCheck` SQL when given); levels it does not
 * support must be refused, never ignored.
 */
export function transactionTests(ctx: SuiteContext): void {
  const { table, seed, reset, test } = ctx;
  const supported = ctx.options.isolationLevels ?? ISOLATION_LEVELS;
  const check = ctx.options.isolationCheck;

  test("transaction commits when the callback resolves", async () => {
    await reset();
    const result = await ctx.connector.transaction(async (tx) => {
      await tx.execute(`INSERT INTO ${table} (id, name, score) VALUES (:id, :name, :score)`, { id: 1, name: "a", score: 1 });
      await tx.executeMany(`INSERT INTO ${table} (id, name, score) VALUES (:id, :name, :score)`, [
        { id: 2, name: "b", score: 2 },
        { id: 3, name: "c", score: 3 },
      ]);
      return count(await tx.fetchOne(`SELECT COUNT(*) AS n FROM ${table}`));
    });
    expect(result).toBe(3);
    expect(count(await ctx.connector.fetchAll(`SELECT COUNT(*) AS n FROM ${table}`).then((r) => r[0]))).toBe(3);
  });

  test("transaction rolls back when the callback throws", async () => {
    await seed(2);
    await expect(
      ctx.connector.transaction(async (tx) => {
        await tx.execute(`DELETE FROM ${table}`);
        expect(count((await tx.fetchAll(`SELECT COUNT(*) AS n FROM ${table}`))[0])).toBe(0);
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    expect(count((await ctx.connector.fetchAll(`SELECT COUNT(*) AS n FROM ${table}`))[0])).toBe(2);
  });


  describe("isolation levels", () => {
    for (const level of ISOLATION_LEVELS) {
      if (supported.includes(level)) {
        test(`${level}: commits, rolls back${check ? " and is the level the server reports" : ""}`, async () => {
          await reset();
          const reported = await ctx.connector.transaction(
            async (tx) => {
              await tx.execute(`INSERT INTO ${table} (id, name, score) VALUES (:id, :name, :score)`, { id: 1, name: level, score: 1 });
              if (!check) return undefined;
              if (check.before) await tx.execute(check.before);
              return Object.values((await tx.fetchAll(check.sql))[0] ?? {})[0];
            },
            { isolationLevel: level },
          );
          if (check) expect(normalized(reported)).toBe(normalized(check.expected ? check.expected(level) : level));
          const failure = await rejection(
            ctx.connector.transaction(
              async (tx) => {
                await tx.execute(`DELETE FROM ${table}`);
                throw new Error(`roll back ${level}`);
              },
              { isolationLevel: level },
            ),
          );
          expect((failure as Error).message).toBe(`roll back ${level}`);
          expect(lowerKeys((await ctx.connector.fetchAll(`SELECT name FROM ${table}`))[0])).toEqual({ name: level });
        });
      } else {
        test(`${level}: not supported, so refused with an error rather than ignored`, async () => {
          await reset();
          const failure = await rejection(
            ctx.connector.transaction(
              (tx) => tx.execute(`INSERT INTO ${table} (id, name, score) VALUES (1, 'x', 1)`),
              { isolationLevel: level },
            ),
          );
          expect(failure).toBeInstanceOf(Error);
          expect(count((await ctx.connector.fetchAll(`SELECT COUNT(*) AS n FROM ${table}`))[0])).toBe(0);
        });
      }
    }
  });

  test("a statement error inside a transaction is a DatabaseError and rolls everything back", async () => {
    await seed(2);
    const failure = await rejection(
      ctx.connector.transaction(async (tx) => {
        await tx.execute(`INSERT INTO ${table} (id, name, score) VALUES (3, 'c', 3)`);
        await tx.execute(`INSERT INTO ${table} (id, name, score) VALUES (1, 'duplicate', 1)`);
      }),
    );
    expect(failure).toBeInstanceOf(DatabaseError);
    expect(count((await ctx.connector.fetchAll(`SELECT COUNT(*) AS n FROM ${table}`))[0])).toBe(2);
  });
}
