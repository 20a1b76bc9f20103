import { describe, expect, it } from "vitest";
import { WORKLOADS } from "../dist/workloads/index.js";
import { loadWorkload } from "../dist/workloads/modules.js";

// The child process finds its workload through workloads/modules.ts (one module imported)
// instead of workloads/index.ts (all of them): the two must name the same workloads.
describe("workload modules", () => {
  it("loads every registered workload by its id, and only those", async () => {
    for (const workload of WORKLOADS) {
      const loaded = await loadWorkload(workload.id);
      expect(loaded).toBe(workload);
    }
    await expect(loadWorkload("W9")).rejects.toThrow("unknown workload W9");
  });
});
