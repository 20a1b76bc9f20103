import type { ResultRow, Summary } from "./runner.js";

const number = (value: number | undefined, digits = 0) =>
  value === undefined ? "–" : value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** `133 MB`, or `–`. */
function rss(summary: Summary | undefined): string {
  return summary ? `${number(summary.maxRssMb)} MB` : "–";
}

/** The verdict column: met, MISSED, or reference (no target). */
export function verdict(row: ResultRow): string {
  if (row.kind === "reference") return "reference";
  return row.met ? "met" : "MISSED";
}

/**
 * One markdown table row. The runner prints these while it runs and RESULTS.md is made of
 * the same rows, so what the terminal shows and what the file says cannot differ.
 */
export function formatRow(row: ResultRow): string {
  // Slow workloads (C1: a few starts a second) keep two significant digits.
  const digits = (perSecond: number) => (perSecond < 10 ? 2 : perSecond < 100 ? 1 : 0);
  const throughput = (s: Summary | undefined) => (s ? `${number(s.perSecond, digits(s.perSecond))} ${row.unit}/s` : "–");
  const result = row.latencyMs !== undefined ? `${number(row.latencyMs, 3)} ms/op` : `${number(row.ratio, 2)}×`;
  const rssRatio = row.rssRatio !== undefined ? ` (${number(row.rssRatio, 2)}×)` : "";
  const memory = row.raw ? `${rss(row.sqlblocks)} / ${rss(row.raw)}${rssRatio}` : rss(row.sqlblocks);
  const verified = row.verified ? ` (${row.verified})` : "";
  return `| ${row.workload} ${row.title}, ${number(row.count)} ${row.unit}${verified} | ${row.database} | ${throughput(row.sqlblocks)} | ${throughput(row.raw)} | ${result} | ${memory} | ${row.target} | ${verdict(row)} |`;
}

/** The table header matching {@link formatRow}. */
export const TABLE_HEADER = [
  "| workload | database | sqlblocks | raw driver | sqlblocks/raw | peak RSS (sqlblocks / raw) | target | |",
  "|---|---|---|---|---|---|---|---|",
].join("\n");
