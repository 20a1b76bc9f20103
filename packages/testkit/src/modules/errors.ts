import { DATABASE_ERROR_CLASSES, DatabaseError, type DatabaseErrorKind, SqlSyntaxError, UniqueViolationError } from "@sqlblocks/core";
import { describe, expect, it } from "vitest";
import { rejection, type SuiteContext } from "../context.js";
import type { ExpectedFailure, Provocation, ProvocationContext } from "../options.js";

/** A value that must never appear in an error message. */
const CANARY_VALUE = "canary-value-7f3a";

/** A child table of the suite's table with NOT NULL, CHECK and FOREIGN KEY constraints (table-level: MariaDB ignores inline REFERENCES). */
async function withChildTable<T>(context: ProvocationContext, drop: (table: string) => string, run: (child: string) => Promise<T>): Promise<T> {
  const child = `${context.table}_c`;
  await context.connector.execute(drop(child));
  await context.connector.execute(
    `CREATE TABLE ${child} (id INTEGER PRIMARY KEY, parent_id INTEGER, n INTEGER NOT NULL, c INTEGER, ` +
      `CONSTRAINT ${child}_ck CHECK (c > 0), CONSTRAINT ${child}_fk FOREIGN KEY (parent_id) REFERENCES ${context.table} (id))`,
  );
  try {
    return await run(child);
  } finally {
    await context.connector.execute(drop(child));
  }
}

/** The provocations every SQL database can raise, with portable SQL. */
function portable(drop: (table: string) => string): Partial<Record<DatabaseErrorKind, Provocation>> {
  const insertChild = (context: ProvocationContext, values: Record<string, number | null>) =>
    withChildTable(context, drop, (child) =>
      rejection(context.connector.execute(`INSERT INTO ${child} (id, parent_id, n, c) VALUES (:id, :parent_id, :n, :c)`, values)),
    );
  return {
    unique_violation: (context) =>
      rejection(context.connector.execute(`INSERT INTO ${context.table} (id, name, score) VALUES (1, 'again', 1)`)),
    not_null_violation: (context) => insertChild(context, { id: 1, parent_id: 1, n: null, c: 1 }),
    check_violation: (context) => insertChild(context, { id: 1, parent_id: 1, n: 1, c: -1 }),
    foreign_key_violation: (context) => insertChild(context, { id: 1, parent_id: 999, n: 1, c: 1 }),
    sql_syntax: (context) => rejection(context.connector.execute("SELEC 1")),
  };
}

/**
 * Error classes: each portable class provoked on the real database (the portable ones with
 * portable SQL, the others with the driver's own provocations), and the shape every
 * database error has (SQL text and driver code, never parameter values).
 */
export function errorTests(ctx: SuiteContext): void {
  const { table, seed, test } = ctx;
  const hooks = ctx.options.faults;
  const provocations: Partial<Record<DatabaseErrorKind, Provocation | ExpectedFailure | false>> = {
    ...portable(ctx.dropSql),
    // With kill hooks, a connection ended by the server inside a transaction is a lost connection.
    ...(hooks
      ? {
          connection_lost: (context: ProvocationContext) => {
            const db = context.make({ pool: { max: 1 } });
            return rejection(
              db.transaction(async (tx) => {
                await hooks.kill(await hooks.connectionId(tx));
                await tx.execute(`SELECT id FROM ${context.table}`);
              }),
            ).finally(() => db.close());
          },
        }
      : {}),
    ...ctx.options.errors,
  };

  describe("error classes", () => {
    for (const kind of Object.keys(DATABASE_ERROR_CLASSES) as DatabaseErrorKind[]) {
      const ErrorClass = DATABASE_ERROR_CLASSES[kind];
      const given = provocations[kind];
      if (!given) {
        const why = given === false ? `${ctx.options.name} cannot raise it` : `no provocation given for ${ctx.options.name}`;
        it.skip(`${ErrorClass.name} (${kind}): skipped, ${why}`, () => {});
        continue;
      }
      test(`${ErrorClass.name} is what ${kind} raises, with a stable code and the driver's own code`, async () => {
        await seed(3);
        const { provoke, driverCode } = typeof given === "function" ? { provoke: given, driverCode: undefined } : given;
        const failure = await provoke({ connector: ctx.connector, make: ctx.make, table, url: ctx.url });
        expect(failure, `${kind} was provoked`).toBeInstanceOf(ErrorClass);
        const error = failure as DatabaseError;
        expect(error).toBeInstanceOf(DatabaseError);
        expect(error.code).toBe(new ErrorClass("", { sql: "", transient: false }).code);
        expect(error.code).toMatch(/^SQLBLOCKS_[A-Z_]+$/);
        // A lost connection may carry no code (pg reports it by message only); every other kind has the driver's own.
        if (kind !== "connection_lost") expect(error.driverCode, "the driver's native code is kept").toBeTruthy();
        if (driverCode !== undefined) expect(error.driverCode).toMatch(driverCode);
        expect(typeof error.transient).toBe("boolean");
        // The connector is still usable.
        await ctx.connector.resetConnections();
        expect((await ctx.connector.fetchAll(`SELECT id FROM ${table} WHERE id = :id`, { id: 1 })).length).toBe(1);
      });
    }
  });

  test("database errors carry the SQL and the driver's code, never parameter values", async () => {
    await seed(1);
    const failure = await ctx.connector
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
    await expect(ctx.connector.execute("SELEC broken syntax")).rejects.toBeInstanceOf(SqlSyntaxError);
  });
}
