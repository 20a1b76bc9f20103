import type { SqlConnector } from "@sqlblocks/core";

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
