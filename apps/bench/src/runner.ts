import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type Database, databaseUrl, FULL, QUICK } from "./config.js";
import { formatRow, TABLE_HEADER } from "./format.js";
import { type Measurement, type Variant, WORKLOADS, type Workload } from "./workloads/index.js";

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL("./child.js", import.meta.url));

/** One row of the results table: medians of both sides. */
export interface ResultRow {
  workload: string;
  title: string;
  database: Database;
  unit: string;
  /** Rows or operations one timed run handled. */
  count: number;
  /** How the raw side does the work (from the workload), when it says. */
  rawMethod?: string | undefined;
  /** `reference`: a figure printed for context, without a target. */
  kind: "target" | "reference";
  sqlblocks?: Summary | undefined;
  raw?: Summary | undefined;
  /** sqlblocks/raw throughput. */
  ratio?: number | undefined;
  /** sqlblocks/raw peak RSS. */
  rssRatio?: number | undefined;
  /** Milliseconds per operation (latency workloads, net of the raw side). */
  latencyMs?: number | undefined;
  target: string;
  met: boolean;
  /** What the workload's `verify` found after every repetition (one text when all agree). */
  verified?: string | undefined;
}

/** Medians of one side, with every repetition's throughput. */
export interface Summary {
  perSecond: number;
  ms: number;
  maxRssMb: number;
  /** Throughput of each repetition, in the order they ran. */
  samples: number[];
}

interface ChildResult extends Measurement {
  maxRssKb: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function runChild(workload: Workload, variant: Variant, database: Database, mode: string, sqliteFile: string) {
  const { stdout } = await run(process.execPath, [CHILD, workload.id, variant, database, mode, sqliteFile], {
    env: process.env,
    maxBuffer: 1 << 20,
  });
  const last = stdout.trim().split("\n").at(-1) ?? "";
  return JSON.parse(last) as ChildResult;
}

function summarize(results: ChildResult[]): Summary {
  return {
    samples: results.map((r) => Math.round((r.count / r.ms) * 1000)),
    perSecond: median(results.map((r) => (r.count / r.ms) * 1000)),
    ms: median(results.map((r) => r.ms)),
    maxRssMb: median(results.map((r) => r.maxRssKb / 1024)),
  };
}

/** Options of {@link runBenchmarks}. */
export interface BenchOptions {
  mode: "quick" | "full";
  only?: readonly string[] | undefined;
  databases?: readonly Database[] | undefined;
  log?: (line: string) => void;
}

/**
 * Runs every selected workload: both variants alternating, each repetition in a fresh
 * process, medians reported.
 */
export async function runBenchmarks(options: BenchOptions): Promise<ResultRow[]> {
  const sizes = options.mode === "full" ? FULL : QUICK;
  const folder = mkdtempSync(path.join(os.tmpdir(), "sqlblocks-bench-"));
  const sqliteFile = path.join(folder, "bench.db");
  // Children inherit it: tables this run writes are its own.
  process.env.SQLBLOCKS_BENCH_RUN ??= String(process.pid);
  const rows: ResultRow[] = [];
  try {
    for (const workload of WORKLOADS) {
      if (options.only && !options.only.includes(workload.id)) continue;
      for (const database of workload.databases) {
        if (options.databases && !options.databases.includes(database)) continue;
        const context = { database, url: databaseUrl(database, sqliteFile), sizes };
        const variants = workload.variants ?? (["sqlblocks", "raw"] as const);
        const results: Record<Variant, ChildResult[]> = { sqlblocks: [], raw: [] };
        const checks: string[] = [];
        const repetitions = Math.min(sizes.repetitions, workload.repetitions ?? sizes.repetitions);
        for (let rep = 0; rep < repetitions; rep++) {
          // Alternate which side goes first, so neither always gets the warmer server.
          const order = rep % 2 === 0 ? variants : [...variants].reverse();
          for (const variant of order) {
            await workload.prepare(context);
            results[variant].push(await runChild(workload, variant, database, options.mode, sqliteFile));
            if (workload.verify) checks.push(await workload.verify(context));
          }
        }
        await workload.cleanup?.(context);
        const row = { ...toRow(workload, database, results), verified: summarizeChecks(checks) };
        options.log?.(formatRow(row));
        rows.push(row);
      }
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  return rows;
}

/** The checks of every repetition: one text when they agree, each otherwise. */
function summarizeChecks(checks: string[]): string | undefined {
  if (checks.length === 0) return undefined;
  const distinct = [...new Set(checks)];
  return distinct.length === 1 ? `${distinct[0]} (each of ${checks.length} runs)` : distinct.join("; ");
}

function toRow(workload: Workload, database: Database, results: Record<Variant, ChildResult[]>): ResultRow {
  const sqlblocks = results.sqlblocks.length ? summarize(results.sqlblocks) : undefined;
  const raw = results.raw.length ? summarize(results.raw) : undefined;
  const method = workload.rawMethod;
  const base = {
    workload: workload.id,
    title: workload.title,
    database,
    unit: workload.unit,
    count: results.sqlblocks[0]?.count ?? results.raw[0]?.count ?? 0,
    rawMethod: typeof method === "string" ? method : method?.[database],
    sqlblocks,
    raw,
  };
  if (workload.targetLatencyMs !== undefined) {
    const count = results.sqlblocks[0]?.count ?? 1;
    const net = (sqlblocks?.ms ?? 0) - (raw?.ms ?? 0);
    const latencyMs = net / count;
    const rssRatio = sqlblocks && raw ? sqlblocks.maxRssMb / raw.maxRssMb : undefined;
    return { ...base, kind: "target", latencyMs, rssRatio, target: `≤ ${workload.targetLatencyMs} ms/op`, met: latencyMs <= workload.targetLatencyMs };
  }
  const ratio = sqlblocks && raw ? sqlblocks.perSecond / raw.perSecond : undefined;
  const rssRatio = sqlblocks && raw ? sqlblocks.maxRssMb / raw.maxRssMb : undefined;
  const targetRatio = workload.targetRatioFor?.[database] ?? workload.targetRatio;
  if (targetRatio === undefined && workload.targetRss === undefined && workload.targetRssMb === undefined) {
    return { ...base, kind: "reference", ratio, rssRatio, target: "none (reference)", met: true };
  }
  const targets = [`≥ ${targetRatio ?? 0}×`];
  if (workload.targetRss !== undefined) targets.push(`RSS ≤ ${workload.targetRss}×`);
  if (workload.targetRssMb !== undefined) targets.push(`RSS ≤ ${workload.targetRssMb} MB`);
  const met =
    ratio !== undefined &&
    ratio >= (targetRatio ?? 0) &&
    (workload.targetRss === undefined || (rssRatio ?? Number.POSITIVE_INFINITY) <= workload.targetRss) &&
    (workload.targetRssMb === undefined || (sqlblocks?.maxRssMb ?? Number.POSITIVE_INFINITY) <= workload.targetRssMb);
  return { ...base, kind: "target", ratio, rssRatio, target: targets.join(", "), met };
}

export { formatRow, TABLE_HEADER };
