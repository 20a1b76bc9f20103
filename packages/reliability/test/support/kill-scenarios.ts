import { randomUUID } from "node:crypto";
import { type BlockStore, DatabaseError, SqlConnector } from "@sqlblocks/core";
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

/** What a kill met: one entry per connection killed. */
export interface Killed {
  /** A short text for the failure message (state and statement). */
  described: string;
  /** Whether the statement it met was a COMMIT in progress. */
  atCommit: boolean;
}

/** One round of {@link executeManyUnderKills}: a connector and how to watch and kill its connection. */
export interface KillRound {
  /** A new connector with one pooled connection. */
  db: SqlConnector;
  /** Resolves once the call's work is seen running on the server (or `finished()` is true). */
  waitUntilRunning(finished: () => boolean): Promise<void>;
  /** Kills the connector's connections, saying what each was running. */
  killNoting(): Promise<Killed[]>;
}

/** What {@link executeManyUnderKills} runs. */
export interface ExecuteManyUnderKillsOptions {
  /** A new round: called once per kill point. */
  round(): KillRound;
  /** A connector of its own, never killed, for the checks. */
  admin: SqlConnector;
  /** A table `(id int, payload text)` with no unique key. */
  table: string;
  /** Shown in the figures: which executeMany path the statement takes. */
  path: string;
  sql: string;
  rows: number;
}

/**
 * An executeMany interrupted by a killed connection at several points (as soon as its work
 * is seen, then 20, 60 and 150 ms later), and once not at all: success ⇒ all rows; error ⇒
 * a transient DatabaseError and no row, or all rows only when the kill hit its COMMIT (whose
 * acknowledgement may be lost). Returns the figures line.
 */
export async function executeManyUnderKills(options: ExecuteManyUnderKillsOptions): Promise<string> {
  const { admin, table, path, rows } = options;
  const outcomes: string[] = [];
  for (const delay of [0, 20, 60, 150, null]) {
    const round = options.round();
    const { db } = round;
    try {
      await db.execute("SELECT 1");
      await admin.execute(`TRUNCATE TABLE ${table}`);
      const params = Array.from({ length: rows }, (_, id) => ({ id, payload: `row-${id}-${"x".repeat(20)}` }));
      let finished = false;
      const running = db.executeMany(options.sql, params).then(
        (result) => ({ result }),
        (error: unknown) => ({ error }),
      );
      void running.then(() => {
        finished = true;
      });
      await round.waitUntilRunning(() => finished);
      if (delay !== null) await sleep(delay);
      const killed = finished || delay === null ? [] : await round.killNoting();
      const atCommit = killed.some((k) => k.atCommit);
      const outcome = await running;
      const [counted] = (await admin.execute<{ n: unknown; ids: unknown }>(`SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS ids FROM ${table}`)).rows;
      const count = Number(counted!.n);
      expect(Number(counted!.ids), "no id twice").toBe(count);
      const where = `${path}: ${count} rows after a kill ${delay} ms in (${killed.map((k) => k.described).join("; ") || "none"})`;
      if ("error" in outcome) {
        expect(outcome.error).toBeInstanceOf(DatabaseError);
        expect((outcome.error as DatabaseError).transient).toBe(true);
        // Rows of a failed call only when the kill met its COMMIT (the ack may be lost).
        if (atCommit) expect([0, rows], where).toContain(count);
        else expect(count, where).toBe(0);
      } else {
        expect(count, where).toBe(rows);
      }
      outcomes.push(
        `${killed.length ? `killed${atCommit ? " at COMMIT" : ""}` : "not killed"} ${delay === null ? "(control)" : `at +${delay} ms`} → ${"error" in outcome ? "error" : "ok"}, ${count === 0 ? "none" : "all"}`,
      );
    } finally {
      await db.close();
    }
  }
  // At least one kill really interrupted the batch, and the call without a kill succeeded.
  expect(outcomes.some((o) => o.startsWith("killed") && o.includes("error, none"))).toBe(true);
  expect(outcomes.at(-1)).toMatch(/^not killed .* ok, all$/);
  return `executeMany (${path}, ${rows} sets): ${outcomes.join("; ")}`;
}
