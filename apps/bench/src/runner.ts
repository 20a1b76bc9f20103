import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type Database, databaseUrl, FULL, QUICK } from "./config.js";
import { type Measurement, type Variant, WORKLOADS, type Workload } from "./workloads/index.js";

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL("./child.js", import.meta.url));

/** One row of the results table: medians of both sides. */
export interface ResultRow {
  workload: string;
  title: string;
  database: Database;
  unit: string;
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
}

export interface Summary {
  perSecond: number;
  ms: number;
  maxRssMb: number;
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
        for (let rep = 0; rep < sizes.repetitions; rep++) {
          // Alternate which side goes first, so neither always gets the warmer server.
          const order = rep % 2 === 0 ? variants : [...variants].reverse();
          for (const variant of order) {
            await workload.prepare(context);
            results[variant].push(await runChild(workload, variant, database, options.mode, sqliteFile));
          }
        }
        await workload.cleanup?.(context);
        const row = toRow(workload, database, results);
        options.log?.(formatRow(row));
        rows.push(row);
      }
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  return rows;
}

function toRow(workload: Workload, database: Database, results: Record<Variant, ChildResult[]>): ResultRow {
  const sqlblocks = results.sqlblocks.length ? summarize(results.sqlblocks) : undefined;
  const raw = results.raw.length ? summarize(results.raw) : undefined;
  const base = { workload: workload.id, title: workload.title, database, unit: workload.unit, sqlblocks, raw };
  if (workload.targetLatencyMs !== undefined) {
    const count = results.sqlblocks[0]?.count ?? 1;
    const net = (sqlblocks?.ms ?? 0) - (raw?.ms ?? 0);
    const latencyMs = net / count;
    return { ...base, latencyMs, target: `≤ ${workload.targetLatencyMs} ms/op`, met: latencyMs <= workload.targetLatencyMs };
  }
  const ratio = sqlblocks && raw ? sqlblocks.perSecond / raw.perSecond : undefined;
  const rssRatio = sqlblocks && raw ? sqlblocks.maxRssMb / raw.maxRssMb : undefined;
  const targets = [`≥ ${workload.targetRatio}×`];
  if (workload.targetRss !== undefined) targets.push(`RSS ≤ ${workload.targetRss}×`);
  const met =
    ratio !== undefined &&
    ratio >= (workload.targetRatio ?? 0) &&
    (workload.targetRss === undefined || (rssRatio ?? Number.POSITIVE_INFINITY) <= workload.targetRss);
  return { ...base, ratio, rssRatio, target: targets.join(", "), met };
}

const number = (value: number | undefined, digits = 0) =>
  value === undefined ? "–" : value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** One markdown table row. */
export function formatRow(row: ResultRow): string {
  const throughput = (s: Summary | undefined) => (s ? `${number(s.perSecond)} ${row.unit}/s` : "–");
  const rss = (s: Summary | undefined) => (s ? `${number(s.maxRssMb)} MB` : "–");
  const result = row.latencyMs !== undefined ? `${number(row.latencyMs, 3)} ms/op` : `${number(row.ratio, 2)}×`;
  return `| ${row.workload} ${row.title} | ${row.database} | ${throughput(row.sqlblocks)} | ${throughput(row.raw)} | ${result} | ${rss(row.sqlblocks)} / ${rss(row.raw)} | ${row.target} | ${row.met ? "met" : "MISSED"} |`;
}

/** The table header matching {@link formatRow}. */
export const TABLE_HEADER = [
  "| workload | database | sqlblocks | raw driver | sqlblocks/raw | peak RSS (sqlblocks / raw) | target | |",
  "|---|---|---|---|---|---|---|---|",
].join("\n");
