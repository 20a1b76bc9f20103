import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { BlockStore, SqlConnector } from "@sqlblocks/core";
import { type FlowRunRecord, type RunLogRecord, RunHistory, recordValue, type TaskRunRecord } from "@sqlblocks/flow";
import { startUiServer } from "@sqlblocks/ui";
import type { Sizes } from "../config.js";
import type { Measurement, Workload } from "./types.js";

/**
 * The web page over a store of SPEC §9's size: 10,000 runs and 100 blocks in the full run
 * (as many runs as W4 does lookups; a hundredth as many blocks), a few hundred in quick mode.
 * Each run has 3 task runs (one retried) and 8 log records, 3 of them statements.
 */
function storeSize(sizes: Sizes): { runs: number; blocks: number; requests: number } {
  return { runs: sizes.lookups, blocks: Math.max(2, Math.round(sizes.lookups / 100)), requests: sizes.repetitions > 1 ? 400 : 60 };
}

/** A run's recorded parameters and result as flow records them (JSON text), about 1.4 kB and 5 kB. */
const PARAMETERS = recordValue({ day: "2026-01-01", tables: Array.from({ length: 60 }, (_, i) => `warehouse.orders_${i}`), options: { mode: "full" } })!;
const RESULT = recordValue({ rows: 123_456, perTable: Array.from({ length: 150 }, (_, i) => ({ table: `orders_${i}`, rows: i * 10 })) })!;
const STATES = ["COMPLETED", "COMPLETED", "COMPLETED", "FAILED", "CRASHED", "CANCELLED"] as const;
const FLOWS = ["nightly-load", "hourly-sync", "quickstart", "backfill", "report"];
const TAGS = ["prod", "staging", "nightly", "team-a", "team-b"];

const id = (n: number, suffix = 0) => `0190${String(n).padStart(8, "0")}-0000-7000-8000-${String(suffix).padStart(12, "0")}`;

/** Writes the runs (through flow's public history API) and blocks into a fresh store. */
export async function seedWebStore(home: string, sizes: Sizes): Promise<{ store: BlockStore; runIds: string[] }> {
  const { runs, blocks } = storeSize(sizes);
  const store = await BlockStore.open({ home, env: {} });
  for (let b = 0; b < blocks; b++) {
    await new SqlConnector({
      connectionInfo: { driver: "postgresql+pg", host: `db-${b}.internal`, database: "warehouse", username: "app", password: `pw-${b}` },
    }).save(`warehouse-${b}`, { store });
  }
  const history = new RunHistory(store.db);
  const start = Date.parse("2026-01-01T00:00:00Z");
  const runIds: string[] = [];
  for (let from = 0; from < runs; from += 1000) {
    const flowRuns: FlowRunRecord[] = [];
    const taskRuns: TaskRunRecord[] = [];
    const logs: RunLogRecord[] = [];
    for (let n = from; n < Math.min(runs, from + 1000); n++) {
      const at = (offset: number) => new Date(start + n * 60_000 + offset).toISOString();
      const state = STATES[n % STATES.length]!;
      const runId = id(n);
      runIds.push(runId);
      flowRuns.push({
        id: runId,
        name: FLOWS[n % FLOWS.length]!,
        state,
        tags: [TAGS[n % TAGS.length]!, TAGS[(n + 2) % TAGS.length]!],
        attempts: 1,
        error: state === "FAILED" ? "relation \"orders\" does not exist" : undefined,
        createdAt: at(0),
        startedAt: at(5),
        endedAt: at(4000),
        pid: undefined,
        hostname: "bench",
        // Recorded parameters and a result of a few kB each: the list must not read them.
        parameters: PARAMETERS,
        result: state === "COMPLETED" ? RESULT : undefined,
      });
      for (let t = 0; t < 3; t++) {
        const taskId = id(n, t + 1);
        taskRuns.push({
          id: taskId,
          flowRunId: runId,
          name: ["extract", "transform", "load"][t]!,
          state: "COMPLETED",
          tags: [],
          attempts: t === 2 ? 2 : 1,
          error: undefined,
          createdAt: at(10 + t * 1000),
          startedAt: at(10 + t * 1000),
          endedAt: at(900 + t * 1000),
          pid: undefined,
          hostname: "bench",
        });
        logs.push(
          { flowRunId: runId, taskRunId: taskId, kind: "log", level: "INFO", message: `Task run '${taskId}' started`, at: at(10 + t * 1000) },
          { flowRunId: runId, taskRunId: taskId, kind: "statement", level: "DEBUG", message: "fetchMany: SELECT * FROM orders WHERE day = :day", durationMs: 12.5, rowCount: 500, at: at(500 + t * 1000) },
        );
      }
      logs.push(
        { flowRunId: runId, taskRunId: undefined, kind: "log", level: "INFO", message: "Beginning flow run", at: at(5) },
        { flowRunId: runId, taskRunId: undefined, kind: "log", level: "INFO", message: "Finished", at: at(4000) },
      );
    }
    await history.write({ flowRuns, taskRuns, logs });
  }
  return { store, runIds };
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

/** Seeds a store, serves it, times `request` `n` times after a warm-up, and reports the 95th percentile. */
async function p95Of(sizes: Sizes, label: string, request: (base: string, runIds: string[], i: number) => Promise<void>): Promise<Measurement> {
  const home = mkdtempSync(path.join(os.tmpdir(), "sqlblocks-bench-ui-"));
  const { store, runIds } = await seedWebStore(home, sizes);
  const server = await startUiServer({ port: 0, store, env: { SQLBLOCKS_HOME: home } });
  try {
    const base = server.url.replace(/\/$/, "");
    const { requests } = storeSize(sizes);
    for (let i = 0; i < 20; i++) await request(base, runIds, i);
    const times: number[] = [];
    for (let i = 0; i < requests; i++) {
      const started = performance.now();
      await request(base, runIds, i);
      times.push(performance.now() - started);
    }
    const p95 = percentile(times, 95);
    process.stderr.write(
      `${label}: ${runIds.length} runs, ${requests} requests: p50 ${percentile(times, 50).toFixed(2)} ms, p95 ${p95.toFixed(2)} ms, max ${Math.max(...times).toFixed(2)} ms\n`,
    );
    // One "operation" whose time is the 95th percentile, so the runner's ms/op is the p95.
    return { count: 1, ms: p95 };
  } finally {
    await server.close();
    await store.close();
    rmSync(home, { recursive: true, force: true });
  }
}

/** One keep-alive connection, as a browser keeps one to the page's server. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/** GETs a URL and parses its JSON answer (node:http: a light client, so the server's time dominates). */
function getJson(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          if (response.statusCode !== 200) reject(new Error(`${url}: HTTP ${response.statusCode}`));
          else resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
        });
      })
      .on("error", reject);
  });
}

const LIST_QUERIES = ["", "?state=FAILED", "?tag=nightly", "?flow=backfill", "?offset=500", "?state=COMPLETED&tag=prod", "?from=2026-01-02T00:00:00Z&to=2026-01-03T00:00:00Z"];

/** U1: the runs list API (first page, filtered pages, a later page), p95. */
export const webRunsListWorkload: Workload = {
  id: "U1",
  title: "web page: runs list p95",
  unit: "ops",
  databases: ["sqlite"],
  targetLatencyMs: 50,
  variants: ["sqlblocks"],
  async prepare() {},
  run: (_variant, { sizes }) =>
    p95Of(sizes, "U1 runs list", async (base, _ids, i) => {
      await getJson(`${base}/api/runs${LIST_QUERIES[i % LIST_QUERIES.length]}`);
    }),
};

/** U2: the API call that opens a run page (the run, its task runs and its log in one answer), p95. */
export const webRunPageWorkload: Workload = {
  id: "U2",
  title: "web page: run page p95",
  unit: "ops",
  databases: ["sqlite"],
  targetLatencyMs: 50,
  variants: ["sqlblocks"],
  async prepare() {},
  run: (_variant, { sizes }) =>
    p95Of(sizes, "U2 run page", async (base, ids, i) => {
      const runId = ids[(i * 7919) % ids.length]!;
      await getJson(`${base}/api/runs/${runId}?include=logs`);
    }),
};
