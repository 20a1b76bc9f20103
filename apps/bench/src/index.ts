/**
 * `node dist/index.js [--full] [--only W1,W3] [--db postgres,sqlite] [--out results.json]
 * [--markdown RESULTS.md] [--note "text"]`
 *
 * Runs the benchmarks of SPEC §9 and prints a markdown table. The quick mode (default) uses
 * tiny sizes and is a smoke test; `--full` is the real run. With `--out` the results are
 * written as JSON (commit, machine, versions, load, every row), with `--markdown` RESULTS.md
 * is generated from that same report. `pnpm bench` does all of it in one command.
 */
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type { Database } from "./config.js";
import { FULL, QUICK } from "./config.js";
import { describeEnvironment } from "./environment.js";
import { type BenchReport, durableScaling, type LoadFigures, renderMarkdown, writeReport } from "./report.js";
import { runBenchmarks, TABLE_HEADER } from "./runner.js";
import { WORKLOADS } from "./workloads/index.js";
import { writeFileSync } from "node:fs";

const { values } = parseArgs({
  options: {
    full: { type: "boolean", default: false },
    only: { type: "string" },
    db: { type: "string" },
    out: { type: "string" },
    markdown: { type: "string" },
    note: { type: "string" },
  },
});

const mode = values.full ? "full" : "quick";
const only = values.only?.split(",");
const databases = values.db?.split(",") as Database[] | undefined;
const used = [...new Set(WORKLOADS.filter((w) => !only || only.includes(w.id)).flatMap((w) => w.databases))].filter(
  (d) => !databases || databases.includes(d),
);
const environment = await describeEnvironment(used);
const startedAt = new Date();
console.log(`sqlblocks benchmarks (${mode}) at ${environment.commit?.sha.slice(0, 12) ?? "?"} — ${environment.machine}`);
console.log(`${Object.entries(environment.versions).map(([k, v]) => `${k} ${v}`).join(", ")}\n`);

const loads: number[] = [os.loadavg()[0]!];
const sampler = setInterval(() => loads.push(os.loadavg()[0]!), 5_000);
console.log(TABLE_HEADER);
const rows = await runBenchmarks({ mode, only, databases, log: (line) => console.log(line) }).finally(() => clearInterval(sampler));
loads.push(os.loadavg()[0]!);
const finishedAt = new Date();

const sorted = [...loads].sort((a, b) => a - b);
const load: LoadFigures = {
  cpus: os.cpus().length,
  min: sorted[0]!,
  median: sorted[Math.floor(sorted.length / 2)]!,
  max: sorted.at(-1)!,
  samples: loads.length,
};
const report: BenchReport = {
  schema: 1,
  ...environment,
  mode,
  startedAt: startedAt.toISOString().replace(/\.\d+Z$/, ""),
  finishedAt: finishedAt.toISOString().replace(/\.\d+Z$/, ""),
  durationMs: finishedAt.getTime() - startedAt.getTime(),
  repetitions: (mode === "full" ? FULL : QUICK).repetitions,
  load,
  note: values.note,
  rows,
};
if (values.out) {
  writeReport(values.out, report);
  console.log(`\nresults written to ${values.out}`);
}
if (values.markdown) {
  writeFileSync(values.markdown, renderMarkdown(report, values.out ? path.basename(values.out) : "this run"));
  console.log(`${values.markdown} generated`);
}
const scaling = durableScaling(rows);
if (scaling) console.log(`\n${scaling}`);
const targets = rows.filter((row) => row.kind === "target");
const missed = targets.filter((row) => !row.met).length;
const seconds = report.durationMs / 1000;
console.log(`\n${targets.length - missed} targets met, ${missed} missed — the run took ${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s (load average ${load.median.toFixed(2)} on ${load.cpus} CPUs)`);
