import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  BlockStore,
  DatabaseError,
  MissingParametersError,
  registerDriver,
  SqlConnector,
  type SqlConnectorOptions,
  TooManyCursorsError,
  UniqueViolationError,
} from "@sqlblocks/core";
import type { DriverPlugin } from "@sqlblocks/core/driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lowerKeys, requireServer, uniqueName } from "./helpers.js";

/** What {@link runConformanceSuite} needs to know about a driver and its server. */
export interface ConformanceOptions {
  /** Shown in test titles, e.g. "postgres". */
  name: string;
  /** The connection URL; `undefined` skips the suite visibly. */
  url: string | undefined;
  /** The plug-in under test; registered explicitly. */
  plugin: DriverPlugin;
  /** Name of the environment variable that supplies the URL (for the skip message). */
  urlVariable?: string;
  /** Fail instead of skipping when the server is unreachable (default: in CI). */
  required?: boolean;
  /** Extra connector options (pool, ssl, …). */
  connectorOptions?: Partial<SqlConnectorOptions>;
  /** SQL that drops a table if it exists (default `DROP TABLE IF EXISTS <name>`). */
  dropTableSql?: (table: string) => string;
}

const CANARY_VALUE = "canary-value-7f3a";

function count(row: Record<string, unknown> | undefined): number {
  return Number(lowerKeys(row)?.n);
}

/**
 * Runs the connector contract of SPEC §4 against a real database: parameters,
 * commit and rollback, atomic executeMany, paging with reset and auto-release, streaming
 * with early exit, close twice, and error shapes.
 */
export function runConformanceSuite(options: ConformanceOptions): void {
  const title = `${options.name} conformance`;
  if (!options.url) {
    const hint = options.urlVariable ? `: set ${options.urlVariable} to run it` : "";
    if (options.required ?? false) {
      it(`${title}${hint}`, () => {
        throw new Error(`no URL for the ${options.name} conformance suite${hint}`);
      });
      return;
    }
    describe.skip(`${title} (skipped${hint})`, () => {
      it("needs a server", () => {});
    });
    return;
  }
  const url = options.url;
  const required = options.required ?? requireServer();
  const dropSql = options.dropTableSql ?? ((table: string) => `DROP TABLE IF EXISTS ${table}`);

  describe(title, () => {
    const table = uniqueName("sqlb_conf");
    let home: string;
    let store: BlockStore;
    let connector: SqlConnector;
    let unreachable: unknown;

    const make = (extra: Partial<SqlConnectorOptions> = {}) =>
      new SqlConnector({ connectionInfo: url, ...options.connectorOptions, ...extra });

    const reset = async () => {
      await connector.resetConnections();
      await connector.execute(`DELETE FROM ${table}`);
    };

    const seed = async (rows: number) => {
      await reset();
      await connector.executeMany(
        `INSERT INTO ${table} (id, name, score) VALUES (:id, :name, :score)`,
        Array.from({ length: rows }, (_, i) => ({ id: i + 1, name: `row ${i + 1}`, score: (i + 1) * 10 })),
      );
    };

    beforeAll(async () => {
      registerDriver(options.plugin);
      home = mkdtempSync(path.join(os.tmpdir(), "sqlblocks-conformance-"));
      store = await BlockStore.open({ home, env: {} });
      connector = make();
      try {
        await connector.execute(options.plugin.pingSql);
      } catch (error) {
        if (required) throw error;
        unreachable = error;
        console.warn(`[sqlblocks] SKIPPED ${title}: ${(error as Error).message}`);
        return;
      }
      await connector.execute(dropSql(table));
      await connector.execute(`CREATE TABLE ${table} (id INTEGER PRIMARY KEY, name VARCHAR(100), score INTEGER)`);
    });

    afterAll(async () => {
      if (!unreachable) {
        await connector.resetConnections();
        await connector.execute(dropSql(table)).catch(() => undefined);
      }
      await connector.close();
      await store.close();
      rmSync(home, { recursive: true, force: true });
    });

    const test = (name: string, fn: () => Promise<void>, timeout = 30_000) =>
      it(
        name,
        async (context) => {
          if (unreachable) context.skip();
          await fn();
        },
        timeout,
      );

    test("execute binds named parameters and reports the row count", async () => {
      await reset();
      const inserted = await connector.execute(`INSERT INTO ${table} (id, name, score) VALUES (:id, :name, :score)`, {
        id: 1,
        name: "it's :not_a_param",
        score: 5,
      });
      expect(inserted.rowCount).toBe(1);
      const row = lowerKeys(await connector.fetchOne(`SELECT id, name, score FROM ${table} WHERE id = :id`, { id: 1 }));
      expect(row).toMatchObject({ name: "it's :not_a_param", score: 5 });
      await connector.resetConnections();
    });

    test("a name used twice binds the same value", async () => {
      await seed(5);
      const rows = await connector.fetchAll(
        `SELECT id FROM ${table} WHERE id >= :low AND score >= :low * 10 ORDER BY id`,
        { low: 4 },
      );
      expect(rows.map((r) => Number(lowerKeys(r)?.id))).toEqual([4, 5]);
    });

    test("a missing parameter lists every missing name", async () => {
      const failure = connector.execute(`SELECT :a AS a, :b AS b, :c AS c FROM ${table}`, { b: 1 });
      await expect(failure).rejects.toBeInstanceOf(MissingParametersError);
      await expect(failure).rejects.toThrow(/:a, :c/);
    });

    test("transaction commits when the callback resolves", async () => {
      await reset();
      const result = await connector.transaction(async (tx) => {
        await tx.execute(`INSERT INTO ${table} (id, name, score) VALUES (:id, :name, :score)`, { id: 1, name: "a", score: 1 });
        await tx.executeMany(`INSERT INTO ${table} (id, name, score) VALUES (:id, :name, :score)`, [
          { id: 2, name: "b", score: 2 },
          { id: 3, name: "c", score: 3 },
        ]);
        return count(await tx.fetchOne(`SELECT COUNT(*) AS n FROM ${table}`));
      });
      expect(result).toBe(3);
      expect(count(await connector.fetchAll(`SELECT COUNT(*) AS n FROM ${table}`).then((r) => r[0]))).toBe(3);
    });

    test("transaction rolls back when the callback throws", async () => {
      await seed(2);
      await expect(
        connector.transaction(async (tx) => {
          await tx.execute(`DELETE FROM ${table}`);
          expect(count((await tx.fetchAll(`SELECT COUNT(*) AS n FROM ${table}`))[0])).toBe(0);
          throw new Error("changed my mind");
        }),
      ).rejects.toThrow("changed my mind");
      expect(count((await connector.fetchAll(`SELECT COUNT(*) AS n FROM ${table}`))[0])).toBe(2);
    });

    test("executeMany inserts thousands of rows across several batches", async () => {
      await seed(2500);
      expect(count((await connector.fetchAll(`SELECT COUNT(*) AS n FROM ${table}`))[0])).toBe(2500);
      const sum = lowerKeys((await connector.fetchAll(`SELECT SUM(score) AS s FROM ${table}`))[0]);
      expect(Number(sum?.s)).toBe((2500 * 2501 * 10) / 2);
    });

    test("executeMany is all or nothing and names the failing parameter set", async () => {
      await seed(1);
      const sets = [2, 3, 4, 1, 5].map((id) => ({ id, name: CANARY_VALUE, score: id }));
      const failure = await connector
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
      expect(count((await connector.fetchAll(`SELECT COUNT(*) AS n FROM ${table}`))[0])).toBe(1);
    });

    test("executeMany of other statements runs every set in one transaction", async () => {
      await seed(4);
      const updated = await connector.executeMany(`UPDATE ${table} SET score = :score WHERE id = :id`, [
        { id: 1, score: 100 },
        { id: 2, score: 200 },
      ]);
      expect(updated.rowCount).toBe(2);
      const failing = connector.executeMany(`UPDATE ${table} SET score = :score WHERE id = :id`, [
        { id: 3, score: 300 },
        { id: 4, score: "not a number at all" },
      ]);
      // Databases that coerce silently (SQLite, MySQL) may accept the second set; then both commit.
      const outcome = await failing.then(
        () => "ok" as const,
        (error: DatabaseError) => error,
      );
      const score3 = Number(lowerKeys((await connector.fetchAll(`SELECT score FROM ${table} WHERE id = 3`))[0])?.score);
      if (outcome === "ok") expect(score3).toBe(300);
      else {
        expect(outcome.index).toBe(1);
        expect(score3).toBe(30);
      }
    });

    test("executeMany with an empty list does nothing", async () => {
      expect(await connector.executeMany(`INSERT INTO ${table} (id) VALUES (:id)`, [])).toEqual({ rowCount: 0, rows: [] });
    });

    test("fetchMany pages on from where the last call stopped, then returns nothing", async () => {
      await seed(5);
      const sql = `SELECT id FROM ${table} ORDER BY id`;
      const pages: number[][] = [];
      for (let page = 0; page < 4; page++) {
        pages.push((await connector.fetchMany(sql, {}, 2)).map((r) => Number(lowerKeys(r)?.id)));
      }
      expect(pages).toEqual([[1, 2], [3, 4], [5], []]);
      expect(connector.openCursorCount).toBe(0);
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
      await connector.fetchMany(sql, {}, 2);
      expect((await connector.fetchAll(sql)).map((r) => Number(lowerKeys(r)?.id))).toEqual([3, 4, 5]);
      expect(connector.openCursorCount).toBe(0);
    });

    test("each (sql, params) pair has its own cursor", async () => {
      await seed(6);
      const sql = `SELECT id FROM ${table} WHERE id > :after ORDER BY id`;
      expect((await connector.fetchMany(sql, { after: 0 }, 2)).map((r) => Number(lowerKeys(r)?.id))).toEqual([1, 2]);
      expect((await connector.fetchMany(sql, { after: 3 }, 2)).map((r) => Number(lowerKeys(r)?.id))).toEqual([4, 5]);
      expect((await connector.fetchMany(sql, { after: 0 }, 2)).map((r) => Number(lowerKeys(r)?.id))).toEqual([3, 4]);
      expect(connector.openCursorCount).toBe(2);
      await connector.resetConnections();
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
      await connector.fetchMany(sql, {}, 3);
      expect(connector.openCursorCount).toBe(1);
      await connector.resetConnections();
      expect(connector.openCursorCount).toBe(0);
      expect((await connector.fetchMany(sql, {}, 2)).map((r) => Number(lowerKeys(r)?.id))).toEqual([1, 2]);
      await connector.resetConnections();
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

    test("close is safe twice and the connector stays usable", async () => {
      const temporary = make();
      await temporary.execute(options.plugin.pingSql);
      await temporary.close();
      await temporary.close();
      await temporary.execute(options.plugin.pingSql);
      await temporary[Symbol.asyncDispose]();
    });

    test("a statement running while close() is called completes; the next one gets a new pool", async () => {
      await seed(3);
      const temporary = make();
      await temporary.execute(options.plugin.pingSql);
      const running = temporary.fetchAll(`SELECT COUNT(*) AS n FROM ${table}`);
      const closing = temporary.close();
      expect(count((await running)[0])).toBe(3);
      await closing;
      expect(count((await temporary.fetchAll(`SELECT COUNT(*) AS n FROM ${table} WHERE id > :n`, { n: 1 }))[0])).toBe(2);
      await temporary.close();
    });

    test("database errors carry the SQL and the driver's code, never parameter values", async () => {
      await seed(1);
      const failure = await connector
        .execute(`INSERT INTO ${table} (id, name, score) VALUES (:id, :name, :score)`, { id: 1, name: CANARY_VALUE, score: 1 })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(failure).toBeInstanceOf(DatabaseError);
      const error = failure as DatabaseError;
      expect(error).toBeInstanceOf(UniqueViolationError);
      expect(error.code).toBe("SQLBLOCKS_UNIQUE_VIOLATION");
      expect(error.transient).toBe(false);
      expect(error.driverCode).toBeTruthy();
      expect(error.sql).toContain(`INSERT INTO ${table}`);
      expect(error.message).toContain(`INSERT INTO ${table}`);
      expect(error.message).not.toContain(CANARY_VALUE);
      await expect(connector.execute("SELEC broken syntax")).rejects.toBeInstanceOf(DatabaseError);
    });

    test("a saved block loads and works", async () => {
      await seed(2);
      await make().save("conformance-block", { store, overwrite: true });
      const loaded = await SqlConnector.load("conformance-block", { store });
      try {
        expect(count((await loaded.fetchAll(`SELECT COUNT(*) AS n FROM ${table}`))[0])).toBe(2);
        expect(JSON.stringify(loaded)).not.toContain(CANARY_VALUE);
      } finally {
        await loaded.close();
      }
    });
  });
}
