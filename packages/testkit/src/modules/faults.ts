import { ConnectionLostError, type DatabaseError, type SqlConnector } from "@sqlblocks/core";
import { describe, expect, it } from "vitest";
import { count, rejection, type SuiteContext } from "../context.js";
import { lowerKeys, sleep } from "../helpers.js";

/**
 * Faults, given the driver's `faults` hooks (`connectionId(scope)` and `kill(id)`): a
 * connection ended by the server while idle in the pool, inside a transaction, under an
 * open cursor and under a stream. The call that meets the dead connection fails with a
 * transient {@link ConnectionLostError} (or succeeds on a fresh connection, for an idle
 * one), work in a killed transaction is rolled back, and the connector recovers.
 */
export function faultTests(ctx: SuiteContext): void {
  const { table, seed, test } = ctx;
  const hooks = ctx.options.faults;
  if (!hooks) {
    describe("faults", () => {
      it.skip(`skipped: no faults hooks (connectionId, kill) given for ${ctx.options.name}`, () => {});
    });
    return;
  }

  /** A connector with one pooled connection, and that connection's server id. */
  const single = async (): Promise<{ db: SqlConnector; id: string | number }> => {
    const db = ctx.make({ pool: { max: 1 } });
    const id = await db.transaction((tx) => hooks.connectionId(tx));
    return { db, id };
  };

  const expectLost = (failure: unknown) => {
    expect(failure).toBeInstanceOf(ConnectionLostError);
    expect((failure as DatabaseError).transient).toBe(true);
    expect((failure as DatabaseError).code).toBe("SQLBLOCKS_CONNECTION_LOST");
  };

  describe("faults", () => {
    test("an idle pooled connection killed by the server is replaced; the next calls succeed", async () => {
      const { db, id } = await single();
      try {
        await hooks.kill(id);
        // The pool may hand out the dead connection once; that call fails as a lost connection.
        const first = await rejection(db.execute(`SELECT COUNT(*) AS n FROM ${table}`));
        if (first !== undefined) expectLost(first);
        for (let i = 0; i < 3; i++) expect(count((await db.fetchAll(`SELECT COUNT(*) AS n FROM ${table} WHERE id > :i`, { i }))[0])).toBeGreaterThanOrEqual(0);
        // The calls ran on a new server connection, not on the killed one.
        expect(String(await db.transaction((tx) => hooks.connectionId(tx)))).not.toBe(String(id));
      } finally {
        await db.close();
      }
    });

    const { sleepSql, largeResultSql } = hooks;
    if (sleepSql) {
      test("a statement in flight when its connection is killed fails as a lost connection; the next call succeeds", async () => {
        const { db, id } = await single();
        try {
          const running = rejection(db.execute(sleepSql));
          // Killed while the statement runs (or, on a slow machine, before it is sent: a lost connection either way).
          await sleep(200);
          await hooks.kill(id);
          expectLost(await running);
          expect(count((await db.fetchAll(`SELECT COUNT(*) AS n FROM ${table}`))[0])).toBeGreaterThanOrEqual(0);
        } finally {
          await db.close();
        }
      });
    }

    if (largeResultSql) {
      const numbers = (rows: Record<string, unknown>[]) => rows.map((r) => Number(lowerKeys(r)?.n));

      test("an open cursor over a result larger than the socket buffers fails when its connection is killed; the next fetch starts afresh", async () => {
        const { db, id } = await single();
        try {
          const first = numbers(await db.fetchMany(largeResultSql, {}, 2));
          expect(first).toHaveLength(2);
          expect(first[1]).toBeGreaterThan(first[0]!);
          expect(db.openCursorCount).toBe(1);
          await hooks.kill(id);
          // Rows that had already arrived may still be handed out; reading on reaches the break.
          expectLost(await rejection(db.fetchAll(largeResultSql)));
          expect(db.openCursorCount).toBe(0);
          expect(numbers(await db.fetchMany(largeResultSql, {}, 2))).toEqual(first);
          await db.resetConnections();
          expect(count((await db.fetchAll(`SELECT COUNT(*) AS n FROM ${table}`))[0])).toBeGreaterThanOrEqual(0);
        } finally {
          await db.close();
        }
      }, 60_000);

      test("a stream over a result larger than the socket buffers fails when its connection is killed, and releases it", async () => {
        const { db, id } = await single();
        try {
          let seen = 0;
          const failure = await rejection(
            (async () => {
              for await (const chunk of db.stream(largeResultSql, {}, { chunkSize: 10 })) {
                seen += chunk.length;
                if (seen === 10) await hooks.kill(id);
              }
            })(),
          );
          expectLost(failure);
          expect(seen).toBeGreaterThanOrEqual(10);
          expect(seen).toBeLessThan(1_000_000);
          expect(count((await db.fetchAll(`SELECT COUNT(*) AS n FROM ${table}`))[0])).toBeGreaterThanOrEqual(0);
        } finally {
          await db.close();
        }
      }, 60_000);
    }

    test("a transaction whose connection is killed fails as a lost connection and its work is rolled back", async () => {
      await seed(0);
      const db = ctx.make({ pool: { max: 1 } });
      try {
        const failure = await rejection(
          db.transaction(async (tx) => {
            await tx.execute(`INSERT INTO ${table} (id, name, score) VALUES (:id, :name, :score)`, { id: 1, name: "before the kill", score: 1 });
            expect(count((await tx.fetchAll(`SELECT COUNT(*) AS n FROM ${table}`))[0])).toBe(1);
            await hooks.kill(await hooks.connectionId(tx));
            await tx.execute(`SELECT COUNT(*) AS n FROM ${table}`);
          }),
        );
        expectLost(failure);
        expect(count((await ctx.connector.fetchAll(`SELECT COUNT(*) AS n FROM ${table}`))[0])).toBe(0);
        await db.transaction((tx) => tx.execute(`INSERT INTO ${table} (id, name, score) VALUES (2, 'after', 2)`));
        expect((await ctx.connector.fetchAll(`SELECT id FROM ${table}`)).map((r) => Number(lowerKeys(r)?.id))).toEqual([2]);
      } finally {
        await db.close();
      }
    });

    test("an open cursor whose connection is killed fails as a lost connection; the next fetch starts afresh", async () => {
      await seed(20);
      const { db, id } = await single();
      try {
        const sql = `SELECT id FROM ${table} ORDER BY id`;
        expect((await db.fetchMany(sql, {}, 2)).map((r) => Number(lowerKeys(r)?.id))).toEqual([1, 2]);
        expect(db.openCursorCount).toBe(1);
        await hooks.kill(id);
        const next = await db.fetchMany(sql, {}, 2).then(
          (rows) => rows.map((r) => Number(lowerKeys(r)?.id)),
          (error: unknown) => error,
        );
        const ids = (rows: Record<string, unknown>[]) => rows.map((r) => Number(lowerKeys(r)?.id));
        if (Array.isArray(next)) {
          // The driver had already received these rows (mysql2 reads small results ahead): they are the next page.
          expect(next).toEqual([3, 4]);
          await db.resetConnections();
        } else {
          expectLost(next);
          // The failed cursor is gone without a reset.
          expect(db.openCursorCount).toBe(0);
        }
        // A fresh fetch starts from row 1 (the dead connection may fail one statement first, as lost).
        const again = await db.fetchMany(sql, {}, 2).then(ids, (error: unknown) => error);
        if (Array.isArray(again)) expect(again).toEqual([1, 2]);
        else {
          expectLost(again);
          expect(ids(await db.fetchMany(sql, {}, 2))).toEqual([1, 2]);
        }
        await db.resetConnections();
      } finally {
        await db.close();
      }
    });

    test("a stream whose connection is killed mid-way fails as a lost connection and releases it", async () => {
      await seed(50);
      const { db, id } = await single();
      try {
        const seen: number[] = [];
        const failure = await rejection(
          (async () => {
            for await (const chunk of db.stream(`SELECT id FROM ${table} ORDER BY id`, {}, { chunkSize: 5 })) {
              seen.push(...chunk.map((r) => Number(lowerKeys(r)?.id)));
              if (seen.length === 5) await hooks.kill(id);
            }
          })(),
        );
        // A driver that had the whole (small) result buffered may finish; otherwise the loss surfaces.
        if (failure !== undefined) expectLost(failure);
        else expect(seen.length).toBe(50);
        expect(seen.slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
        expect(count((await db.fetchAll(`SELECT COUNT(*) AS n FROM ${table}`))[0])).toBe(50);
      } finally {
        await db.close();
      }
    });
  });
}
