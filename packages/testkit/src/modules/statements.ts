import { DatabaseError, MissingParametersError, UniqueViolationError } from "@sqlblocks/core";
import { expect } from "vitest";
import { count, rejection, type SuiteContext } from "../context.js";
import { lowerKeys } from "../helpers.js";

/** A value that must never appear in an error message. */
const CANARY_VALUE = "canary-value-7f3a";

/**
 * Statements: named parameters, executeMany batching and atomicity, close.
 */
export function statementTests(ctx: SuiteContext): void {
  const { table, make, seed, reset, test } = ctx;

  test("execute binds named parameters and reports the row count", async () => {
    await reset();
    const inserted = await ctx.connector.execute(`INSERT INTO ${table} (id, name, score) VALUES (:id, :name, :score)`, {
      id: 1,
      name: "it's :not_a_param",
      score: 5,
    });
    expect(inserted.rowCount).toBe(1);
    const row = lowerKeys(await ctx.connector.fetchOne(`SELECT id, name, score FROM ${table} WHERE id = :id`, { id: 1 }));
    expect(row).toMatchObject({ name: "it's :not_a_param", score: 5 });
    await ctx.connector.resetConnections();
  });

  test("a name used twice binds the same value", async () => {
    await seed(5);
    const rows = await ctx.connector.fetchAll(
      `SELECT id FROM ${table} WHERE id >= :low AND score >= :low * 10 ORDER BY id`,
      { low: 4 },
    );
    expect(rows.map((r) => Number(lowerKeys(r)?.id))).toEqual([4, 5]);
  });

  test("a missing parameter lists every missing name", async () => {
    const failure = ctx.connector.execute(`SELECT :a AS a, :b AS b, :c AS c FROM ${table}`, { b: 1 });
    await expect(failure).rejects.toBeInstanceOf(MissingParametersError);
    await expect(failure).rejects.toThrow(/:a, :c/);
  });

  test("executeMany inserts thousands of rows across several batches", async () => {
    await seed(2500);
    expect(count((await ctx.connector.fetchAll(`SELECT COUNT(*) AS n FROM ${table}`))[0])).toBe(2500);
    const sum = lowerKeys((await ctx.connector.fetchAll(`SELECT SUM(score) AS s FROM ${table}`))[0]);
    expect(Number(sum?.s)).toBe((2500 * 2501 * 10) / 2);
  });

  test("executeMany is all or nothing and names the failing parameter set", async () => {
    await seed(1);
    const sets = [2, 3, 4, 1, 5].map((id) => ({ id, name: CANARY_VALUE, score: id }));
    const failure = await ctx.connector
      .executeMany(`INSERT INTO ${table} (id, name, score) VALUES (:id, :name, :score)`, sets)
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(DatabaseError);
    const error = failure as DatabaseError;
    expect(error.index).toBe(3);
    expect(error.message).toMatch(/parameter set 3/);
    expect(error.message).not.toContain(CANARY_VALUE);
    expect(error.transient).toBe(false);
    expect(count((await ctx.connector.fetchAll(`SELECT COUNT(*) AS n FROM ${table}`))[0])).toBe(1);
  });

  test("executeMany of other statements runs every set in one transaction", async () => {
    await seed(4);
    const updated = await ctx.connector.executeMany(`UPDATE ${table} SET score = :score WHERE id = :id`, [
      { id: 1, score: 100 },
      { id: 2, score: 200 },
    ]);
    expect(updated.rowCount).toBe(2);
    // The second set moves row 4 onto id 1: a primary key violation every database raises.
    const outcome = await rejection(
      ctx.connector.executeMany(`UPDATE ${table} SET score = :score, id = :newId WHERE id = :id`, [
        { id: 3, newId: 3, score: 300 },
        { id: 4, newId: 1, score: 400 },
      ]),
    );
    expect(outcome).toBeInstanceOf(UniqueViolationError);
    expect((outcome as DatabaseError).index).toBe(1);
    // The first set, which succeeded, was rolled back with the second.
    const scores = await ctx.connector.fetchAll(`SELECT id, score FROM ${table} ORDER BY id`);
    expect(scores.map((r) => [Number(lowerKeys(r)?.id), Number(lowerKeys(r)?.score)])).toEqual([
      [1, 100],
      [2, 200],
      [3, 30],
      [4, 40],
    ]);
  });

  test("executeMany with an empty list does nothing", async () => {
    expect(await ctx.connector.executeMany(`INSERT INTO ${table} (id) VALUES (:id)`, [])).toEqual({ rowCount: 0, rows: [] });
  });

  test("close is safe twice and the connector stays usable", async () => {
    const temporary = make();
    await temporary.ping();
    await temporary.close();
    await temporary.close();
    await temporary.ping();
    await temporary[Symbol.asyncDispose]();
  });

  test("a statement running while close() is called completes; the next one gets a new pool", async () => {
    await seed(3);
    const temporary = make();
    await temporary.ping();
    const running = temporary.fetchAll(`SELECT COUNT(*) AS n FROM ${table}`);
    const closing = temporary.close();
    expect(count((await running)[0])).toBe(3);
    await closing;
    expect(count((await temporary.fetchAll(`SELECT COUNT(*) AS n FROM ${table} WHERE id > :n`, { n: 1 }))[0])).toBe(2);
    await temporary.close();
  });
}
