/**
 * Long runs (issue 17): mixed flows on PostgreSQL, MariaDB and SQLite in a process of their
 * own (test/fixtures/soak.mjs) for SQLBLOCKS_SOAK_SECONDS (60 here and in CI; `pnpm soak` at
 * the repository root runs 600). After a warm-up (20% of the time; 40% of a short run, and
 * at least 30 rounds):
 *
 * - RSS grows by at most 10% (full GC before each reading);
 * - active handles are back to their baseline once the connectors are closed;
 * - once idle, the server holds the pool's minimum of connections (pg_stat_activity by
 *   application_name: exactly the minimum; the processlist by a user of the soak's own: no
 *   more than the minimum — mysql2 does not keep idle connections open, see below);
 * - no unhandled rejection, no failed flow run.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { parseConnectionUrl, registerDriver, SqlConnector } from "@sqlblocks/core";
import mysqlPlugin from "@sqlblocks/driver-mysql";
import postgresPlugin from "@sqlblocks/driver-postgres";
import { afterAll, describe, expect, it } from "vitest";
import { runFixture } from "./support/child.js";
import { MYSQL_URL, PG_URL, serverGate, tempDir, uniqueName } from "./support/env.js";

const SECONDS = Number(process.env.SQLBLOCKS_SOAK_SECONDS) || 60;
const home = tempDir("soak");
const target = parseConnectionUrl(MYSQL_URL);
const database = target.database ?? "test";
const user = uniqueName("sqlb_soak");
const password = randomBytes(12).toString("hex");
let admin: SqlConnector | undefined;

const gate = serverGate("soak (PostgreSQL and MariaDB)", async () => {
  registerDriver(postgresPlugin);
  registerDriver(mysqlPlugin);
  await new SqlConnector({ connectionInfo: PG_URL, pool: { max: 1 } }).execute("SELECT 1").then(() => undefined);
  admin = new SqlConnector({ connectionInfo: MYSQL_URL, pool: { max: 1 } });
  for (const from of ["%", "localhost"]) {
    await admin.execute(`CREATE USER '${user}'@'${from}' IDENTIFIED BY '${password}'`);
    await admin.execute(`GRANT ALL ON \`${database}\`.* TO '${user}'@'${from}'`);
  }
});

afterAll(async () => {
  if (admin) {
    for (const from of ["%", "localhost"]) await admin.execute(`DROP USER IF EXISTS '${user}'@'${from}'`).catch(() => undefined);
    await admin.close();
  }
});

describe("soak", () => {
  it(`${SECONDS} s of mixed flows on three databases: RSS, handles and connections come back, nothing unhandled`, { timeout: SECONDS * 1000 + 180_000 }, async (context) => {
    gate(context);
    const appName = uniqueName("sqlb_soak");
    const mysqlUrl = `mariadb+mysql2://${user}:${password}@${target.host ?? "127.0.0.1"}:${target.port ?? 3306}/${database}`;
    const result = await runFixture("soak.mjs", [String(SECONDS), PG_URL, mysqlUrl, path.join(home, "soak.db"), appName, user, PG_URL, MYSQL_URL], {
      env: { SQLBLOCKS_HOME: home },
      timeoutMs: SECONDS * 1000 + 150_000,
    });
    expect(result.code, result.stderr).toBe(0);
    const figures = JSON.parse(result.stdout.trim().split("\n").at(-1)!) as {
      rounds: number;
      failures: number;
      unhandled: number;
      rssAfterWarmUpMb: number;
      rssEndMb: number;
      rssMaxMb: number;
      baselineResources: string[];
      endResources: string[];
      pool: { min: number; max: number };
      pgConnections: number;
      mysqlConnections: number;
      loadAverage: number;
    };
    const growth = figures.rssEndMb / figures.rssAfterWarmUpMb - 1;
    console.log(
      `[soak] ${SECONDS} s: ${figures.rounds} flow runs (×3 databases), ${figures.failures} failed, ${figures.unhandled} unhandled rejections; RSS after warm-up ${figures.rssAfterWarmUpMb.toFixed(1)} MB → end ${figures.rssEndMb.toFixed(1)} MB (${(growth * 100).toFixed(1)}%, max seen ${figures.rssMaxMb.toFixed(1)} MB); handles ${figures.baselineResources.length} at start → ${figures.endResources.length} at end (${figures.endResources.join(", ")}); idle connections: PostgreSQL ${figures.pgConnections}, MariaDB ${figures.mysqlConnections} (pool min ${figures.pool.min}, max ${figures.pool.max}); load average ${figures.loadAverage.toFixed(1)}`,
    );
    expect(figures.rounds).toBeGreaterThan(30);
    expect(figures.rssAfterWarmUpMb, "the warm-up never ended").toBeGreaterThan(0);
    expect(figures.failures).toBe(0);
    expect(figures.unhandled).toBe(0);
    expect(growth).toBeLessThanOrEqual(0.1);
    expect(figures.endResources.length).toBeLessThanOrEqual(figures.baselineResources.length);
    expect(figures.pgConnections).toBe(figures.pool.min);
    // MariaDB: none leaked. Known gap (reported to the connector's owner): driver-mysql maps
    // pool.min to mysql2's maxIdle, yet mysql2 closes every idle connection after idleTimeout,
    // so the count falls to 0 rather than staying at the minimum.
    expect(figures.mysqlConnections).toBeLessThanOrEqual(figures.pool.min);
  });
});
