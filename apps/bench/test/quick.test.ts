import { describe, expect, it } from "vitest";
// The built runner: it starts each measurement in a child process running dist/child.js.
import { renderMarkdown } from "../dist/report.js";
import { runBenchmarks } from "../dist/runner.js";
import { WORKLOADS } from "../dist/workloads/index.js";

// A smoke test: every workload runs end to end at tiny sizes on every database and yields a
// sensible measurement. Speed targets are checked by the full run (RESULTS.md), not here.
describe("benchmarks (quick mode)", () => {
  it("runs every registered workload on each of its databases and compares both sides", { timeout: 600_000 }, async () => {
    const rows = await runBenchmarks({ mode: "quick" });
    const seen = rows.map((row) => `${row.workload}/${row.database}`);
    expect(seen).toEqual(WORKLOADS.flatMap((w) => w.databases.map((d) => `${w.id}/${d}`)));
    // The comparisons SPEC §9 names are all there.
    expect(seen).toEqual(expect.arrayContaining(["W1/postgres", "W1/mariadb", "W1/sqlite", "W2/postgres", "W3/postgres", "W4/sqlite", "B1/sqlite", "T1/sqlite"]));
    for (const row of rows) {
      const workload = WORKLOADS.find((w) => w.id === row.workload)!;
      const variants = workload.variants ?? ["sqlblocks", "raw"];
      expect(row.count, row.workload).toBeGreaterThan(0);
      if (variants.includes("sqlblocks")) expect(row.sqlblocks?.perSecond, row.workload).toBeGreaterThan(0);
      if (variants.includes("raw")) {
        expect(row.raw?.perSecond, row.workload).toBeGreaterThan(0);
        // RESULTS.md says how the raw sides of SPEC §9's comparisons work (other workloads
        // may leave rawMethod out: the generator then points to the workload's file).
        if (/^W[1-4]/.test(row.workload)) expect(row.rawMethod, `${row.workload} ${row.database}: rawMethod`).toBeTruthy();
      } else expect(row.raw).toBeUndefined();
      if (row.latencyMs === undefined && row.raw) expect(row.ratio).toBeGreaterThan(0);
    }
    // RESULTS.md is generated from these rows: each appears in it, with its verdict.
    const markdown = renderMarkdown({
      schema: 1,
      commit: { sha: "0123456789abcdef", dirty: false },
      machine: "test machine",
      versions: { node: process.version },
      mode: "quick",
      startedAt: "2026-01-01T00:00:00",
      finishedAt: "2026-01-01T00:01:00",
      durationMs: 60_000,
      repetitions: 1,
      load: { cpus: 2, min: 0, median: 0, max: 0, samples: 1 },
      rows,
    });
    for (const row of rows) expect(markdown).toContain(`| ${row.workload} ${row.title},`);
    expect(markdown).toContain("Commit: 0123456789ab");
    expect(markdown).toContain("W3 postgres: pg-cursor");
    // The durable scaling goal compares two rows: it gets a line of its own.
    expect(markdown).toMatch(/Durable scaling: 4 workers drained [\d.]+ flows\/s, 1 worker [\d.]+ flows\/s: [\d.]+× \(goal ≥ 2×, (met|missed)\)/);
  });
});
