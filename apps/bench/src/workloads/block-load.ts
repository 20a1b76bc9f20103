import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BlockStore, SqlConnector } from "@sqlblocks/core";
import { timed, type Workload } from "./types.js";

/** Block load latency from the embedded store, in a warm process. */
export const blockLoadWorkload: Workload = {
  id: "B1",
  title: "block load (warm)",
  unit: "ops",
  databases: ["sqlite"],
  targetLatencyMs: 1,
  variants: ["sqlblocks"],
  async prepare() {},
  async run(_variant, { sizes }) {
    const home = mkdtempSync(path.join(os.tmpdir(), "sqlblocks-bench-"));
    const store = await BlockStore.open({ home, env: {} });
    try {
      await new SqlConnector({
        connectionInfo: { driver: "postgresql+pg", host: "db.internal", database: "warehouse", username: "app", password: "s3cret" },
      }).save("warehouse", { store });
      await SqlConnector.load("warehouse", { store });
      return await timed(async () => {
        for (let i = 0; i < sizes.blockLoads; i++) await SqlConnector.load("warehouse", { store });
        return sizes.blockLoads;
      });
    } finally {
      await store.close();
    }
  },
};
