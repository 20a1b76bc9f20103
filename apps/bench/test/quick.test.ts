import { describe, expect, it } from "vitest";
// The built runner: it starts each measurement in a child process running dist/child.js.
import { runBenchmarks } from "../dist/runner.js";

// A smoke test: every workload runs end to end at tiny sizes on every database and yields a
// sensible measurement. Speed targets are checked by the full run (RESULTS.md), not here.
describe("benchmarks (quick mode)", () => {
  it("runs every workload on every database and compares both sides", { timeout: 300_000 }, async () => {
    const rows = await runBenchmarks({ mode: "quick" });
    const seen = rows.map((row) => `${row.workload}/${row.database}`);
    expect(seen).toEqual([
      "W1/postgres",
      "W1/mariadb",
      "W1/sqlite",
      "W2/postgres",
      "W3/postgres",
      "W4/postgres",
      "W4/mariadb",
      "W4/sqlite",
      "B1/sqlite",
      "T1/sqlite",
      "U1/sqlite",
      "U2/sqlite",
      "U3/sqlite",
    ]);
    for (const row of rows) {
      expect(row.sqlblocks?.perSecond, row.workload).toBeGreaterThan(0);
      if (row.workload === "B1" || row.workload.startsWith("U")) expect(row.raw).toBeUndefined();
      else expect(row.raw?.perSecond, row.workload).toBeGreaterThan(0);
      if (row.latencyMs === undefined) expect(row.ratio).toBeGreaterThan(0);
    }
  });
});
