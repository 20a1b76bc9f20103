import { randomUUID } from "node:crypto";
import { type BlockStore, SqlConnector } from "@sqlblocks/core";
import { flow, flushRunHistory, RunHistory, task } from "@sqlblocks/flow";
import { expect } from "vitest";
import { sleep } from "./env.js";

/** What {@link flowUnderKills} runs against: a saved block on the server whose connections get killed. */
export interface FlowUnderKillsOptions {
  /** The flow's name (so that its run is found in the history). */
  flowName: string;
  /** A saved block in `store` whose connections {@link kill} can find. */
  blockName: string;
  store: BlockStore;
  /** A connector of its own, never killed, for the checks. */
  admin: SqlConnector;
  /** A table `(id int, batch int, attempt text)` with no unique key. */
  table: string;
  /** A statement that sleeps 40 ms, so that kills land inside transactions. */
  sleepSql: string;
  /** Kills every connection of the block's connectors; resolves with how many. */
  kill(): Promise<number>;
}

/** What happened, for the figures line. */
export interface FlowUnderKillsFigures {
  kills: number;
  retriedTasks: number;
  retries: number;
  lostAcks: number;
  total: number;
  batches: number;
}

const BATCHES = 16;
const ROWS = 250;

/**
 * A flow whose tasks retry only transient errors, while its connections keep being killed.
 * The table has no unique key and every attempt marks its rows, so a batch applied twice
 * shows. Asserts that each batch is committed exactly once, except where a kill during
 * COMMIT lost the acknowledgement of a commit that landed (identified and counted), and that
 * the run history shows every task COMPLETED with its retries.
 */
export async function flowUnderKills(options: FlowUnderKillsOptions): Promise<FlowUnderKillsFigures> {
  const { admin, table, store } = options;
  /** Every attempt of every batch: how it ended, and whether its error came from COMMIT. */
  const attempts = new Map<string, { batch: number; ok: boolean; atCommit: boolean }>();
  const retryCondition = (error: unknown) => (error as { transient?: unknown }).transient === true;
  const insertBatch = task({ name: "insert-batch", retries: 10, retryDelayMs: 20, retryCondition }, async (batch: number) => {
    const attempt = `${batch}:${randomUUID()}`;
    let bodyDone = false;
    const db = await SqlConnector.load(options.blockName, { store });
    try {
      await db.transaction(async (tx) => {
        await tx.execute(options.sleepSql);
        await tx.executeMany(
          `INSERT INTO ${table} (id, batch, attempt) VALUES (:id, :batch, :attempt)`,
          Array.from({ length: ROWS }, (_, i) => ({ id: batch * ROWS + i, batch, attempt })),
        );
        bodyDone = true;
      });
      attempts.set(attempt, { batch, ok: true, atCommit: false });
    } catch (error) {
      // The body finished, so the error came from COMMIT: it may have landed.
      attempts.set(attempt, { batch, ok: false, atCommit: bodyDone });
      throw error;
    } finally {
      await db.close();
    }
    return ROWS;
  });
  const load = flow({ name: options.flowName }, async () =>
    (await insertBatch.map(Array.from({ length: BATCHES }, (_, b) => b), { concurrency: 3 })).reduce((a, b) => a + b, 0),
  );

  let kills = 0;
  let done = false;
  const running = load().finally(() => {
    done = true;
  });
  // The killer: every 120 ms, kill whatever the flow has open. At most 8 rounds, so the
  // retries (10 per task) always get through in the end.
  for (let round = 0; round < 8 && !done; round++) {
    await sleep(120);
    if (!done) kills += await options.kill();
  }
  expect(await running).toBe(BATCHES * ROWS);

  const committed = (
    await admin.execute<{ attempt: string; batch: number; n: unknown; ids: unknown; lo: unknown; hi: unknown }>(
      `SELECT attempt, MIN(batch) AS batch, COUNT(*) AS n, COUNT(DISTINCT id) AS ids, MIN(id) AS lo, MAX(id) AS hi FROM ${table} GROUP BY attempt`,
    )
  ).rows;
  let lostAcks = 0;
  for (const c of committed) {
    const known = attempts.get(c.attempt);
    // Every committed attempt committed all of its rows, and only its own batch's ids.
    expect(known, `rows of an unknown attempt ${c.attempt}`).toBeDefined();
    expect([c.n, c.ids, c.lo, c.hi].map(Number)).toEqual([ROWS, ROWS, known!.batch * ROWS, known!.batch * ROWS + ROWS - 1]);
    // A committed attempt that reported an error must have been killed during its COMMIT.
    if (!known!.ok) {
      expect(known!.atCommit, `attempt ${c.attempt} failed before COMMIT, yet its rows are there`).toBe(true);
      lostAcks++;
    }
  }
  for (let batch = 0; batch < BATCHES; batch++) {
    const succeeded = [...attempts].filter(([, a]) => a.batch === batch && a.ok).map(([id]) => id);
    // One successful attempt per batch (the task stops retrying), and its rows are there.
    expect(succeeded).toHaveLength(1);
    expect(committed.map((c) => c.attempt)).toContain(succeeded[0]);
  }
  // No id twice, except the rows of commits whose acknowledgement was lost.
  const total = BATCHES * ROWS;
  const [row] = (await admin.execute<{ n: unknown; distinct_ids: unknown }>(`SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS distinct_ids FROM ${table}`)).rows;
  expect([Number(row!.n), Number(row!.distinct_ids)]).toEqual([total + lostAcks * ROWS, total]);

  await flushRunHistory();
  const history = new RunHistory(store.db);
  const [run] = await history.listFlowRuns({ name: options.flowName });
  expect(run?.state).toBe("COMPLETED");
  const tasks = await history.listTaskRuns(run!.id);
  expect(tasks).toHaveLength(BATCHES);
  expect(tasks.every((t) => t.state === "COMPLETED")).toBe(true);
  const retried = tasks.filter((t) => t.attempts > 1);
  // The faults really happened and were retried.
  expect(kills).toBeGreaterThan(0);
  expect(retried.length).toBeGreaterThan(0);
  expect(attempts.size).toBe(tasks.reduce((a, t) => a + t.attempts, 0));
  return { kills, retriedTasks: retried.length, retries: attempts.size - BATCHES, lostAcks, total, batches: BATCHES };
}

/** The figures line both fault suites print. */
export function describeFlowUnderKills(f: FlowUnderKillsFigures, what: string): string {
  return `flow under kills: ${f.kills} ${what} killed, ${f.retriedTasks}/${f.batches} tasks retried (${f.retries} retries), each batch committed once, ${f.lostAcks} lost COMMIT acknowledgement(s), ${f.total} distinct rows`;
}
