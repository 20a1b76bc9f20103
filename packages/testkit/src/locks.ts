import type { SqlConnector } from "@sqlblocks/core";
import { expect } from "vitest";
import type { ProvocationContext } from "./options.js";

/**
 * Resolves for every caller once `parties` callers have arrived: lines up two transactions
 * (for a deadlock, or a serialization failure) before either goes on.
 */
export function barrier(parties: number): () => Promise<void> {
  let arrived = 0;
  let release: () => void = () => {};
  const all = new Promise<void>((resolve) => {
    release = resolve;
  });
  return () => {
    arrived += 1;
    if (arrived === parties) release();
    return all;
  };
}

/**
 * Runs `run` while a transaction on `db` holds the lock of row `id = 1` of `table` (on SQLite:
 * the database's write lock), then ends that transaction and closes `db`. For provoking a
 * lock timeout or a busy error with the driver's own settings.
 *
 * @example
 * await whileRowLocked(make({ pool: { max: 2 } }), table, () => db.execute("UPDATE … WHERE id = 1"));
 */
export async function whileRowLocked<T>(db: SqlConnector, table: string, run: () => Promise<T>): Promise<T> {
  let holding: () => void = () => {};
  const locked = new Promise<void>((resolve) => {
    holding = resolve;
  });
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const holder = db.transaction(async (tx) => {
    await tx.execute(`UPDATE ${table} SET score = 0 WHERE id = 1`);
    holding();
    await finished;
  });
  try {
    await locked;
    return await run();
  } finally {
    done();
    await holder;
    await db.close();
  }
}

/**
 * Provokes a deadlock: two transactions on a new connector each lock one row of `table`
 * (ids 1 and 2), meet at a barrier, then ask for the other's row. Exactly one must be the
 * victim (the other commits); resolves with what the victim threw. For databases with row
 * locks; pass it as the `deadlock` provocation.
 *
 * @example
 * runConformanceSuite({ …, errors: { deadlock: { driverCode: "40P01", provoke: deadlockByLockOrder } } });
 */
export async function deadlockByLockOrder({ make, table }: Pick<ProvocationContext, "make" | "table">): Promise<unknown> {
  const db = make({ pool: { max: 2 } });
  const bothLocked = barrier(2);
  const lockInOrder = (first: number, second: number) =>
    db.transaction(async (tx) => {
      await tx.execute(`UPDATE ${table} SET score = score + 1 WHERE id = :id`, { id: first });
      await bothLocked();
      await tx.execute(`UPDATE ${table} SET score = score + 1 WHERE id = :id`, { id: second });
    });
  try {
    const outcomes = await Promise.allSettled([lockInOrder(1, 2), lockInOrder(2, 1)]);
    // Exactly one victim: the other transaction commits.
    const failures = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    expect(failures).toHaveLength(1);
    return failures[0]?.reason;
  } finally {
    await db.close();
  }
}
