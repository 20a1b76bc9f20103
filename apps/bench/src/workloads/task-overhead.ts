import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { flow, task } from "@sqlblocks/flow";
import { timed, type Workload } from "./types.js";

/** Per-task overhead of @sqlblocks/flow, persisted states included, over plain calls. */
export const taskOverheadWorkload: Workload = {
  id: "T1",
  title: "task overhead",
  unit: "ops",
  databases: ["sqlite"],
  targetLatencyMs: 0.5,
  rawMethod: "the same async functions called plainly (the figure is net of them)",
  async prepare() {},
  async run(variant, { sizes }) {
    process.env.SQLBLOCKS_HOME = mkdtempSync(path.join(os.tmpdir(), "sqlblocks-bench-"));
    const work = async (i: number) => i * 2;
    if (variant === "raw") {
      return await timed(async () => {
        let sum = 0;
        for (let i = 0; i < sizes.tasks; i++) sum += await work(i);
        return sum >= 0 ? sizes.tasks : 0;
      });
    }
    const double = task("double", work);
    const run = flow("bench-tasks", async (n: number) => {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += await double(i);
      return sum;
    });
    await run(1);
    return await timed(async () => {
      await run(sizes.tasks);
      return sizes.tasks;
    });
  },
};
