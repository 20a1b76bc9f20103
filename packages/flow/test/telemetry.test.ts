import path from "node:path";
import { configureTelemetry, SqlConnector } from "@sqlblocks/core";
import { describe, expect, it } from "vitest";
import { flow } from "../src/index.js";
import { registerTestSdk } from "./telemetry-setup.js";
import { telemetrySuite } from "./telemetry-suite.js";
import { useTempHome } from "./helpers.js";

const sdk = registerTestSdk();
const home = useTempHome("telemetry");

telemetrySuite({
  label: "sqlite",
  url: `sqlite+better-sqlite3:///${path.join(home, "otel.db")}`,
  sdk,
  system: "sqlite",
  uniqueViolation: "SQLITE_CONSTRAINT_UNIQUE",
  missingTable: "SQLITE_ERROR",
});

describe("configureTelemetry({ enabled: false })", () => {
  it("stops spans and metrics; the connector and flows work as before", async () => {
    const url = `sqlite+better-sqlite3:///${path.join(home, "off.db")}`;
    const before = await countDurations();
    sdk.reset();
    configureTelemetry({ enabled: false });
    try {
      const rows = await flow("otel-off", async () => {
        await using db = new SqlConnector({ connectionInfo: url });
        await db.execute("CREATE TABLE IF NOT EXISTS t (x integer)");
        await db.transaction((tx) => tx.execute("INSERT INTO t (x) VALUES (:x)", { x: 1 }));
        return db.fetchAll("SELECT x FROM t");
      })();
      expect(rows).toEqual([{ x: 1 }]);
      expect(sdk.spans()).toEqual([]);
      expect(await countDurations()).toBe(before);
    } finally {
      configureTelemetry({ enabled: true });
    }
  });
});

async function countDurations(): Promise<number> {
  const metric = await sdk.durations();
  return (metric?.dataPoints ?? []).reduce((sum, point) => sum + point.value.count, 0);
}
