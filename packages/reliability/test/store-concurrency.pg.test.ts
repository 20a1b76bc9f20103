/**
 * The shared PostgreSQL store under concurrency: 8 processes × 500 mixed save / overwrite /
 * load / list / delete operations on the same names, through SQLBLOCKS_STORE_URL, starting
 * on a schema that does not exist yet (so they also race to create it and migrate).
 * Afterwards every block a process owns holds exactly what it last wrote and nothing is
 * corrupt.
 */
import { randomBytes } from "node:crypto";
import { BlockStore } from "@sqlblocks/core";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { runFixture } from "./support/child.js";
import { PG_URL, serverGate, tempDir } from "./support/env.js";
import { expectNothingLostOrCorrupt, type WorkerReport } from "./support/store-workers.js";

const WORKERS = 8;
const OPERATIONS = 500;
const OWN_NAMES = 6;
const SHARED_NAMES = 4;
const PLAIN_URL = PG_URL.replace(/^[^:]+:/, "postgresql:");


async function query<T>(sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: PLAIN_URL });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

const gate = serverGate("PostgreSQL store concurrency", async () => {
  await query("SELECT 1");
});

describe("the PostgreSQL store under concurrent processes", () => {
  const home = tempDir("pg-concurrency");
  const schema = `concurrency_${randomBytes(4).toString("hex")}`;
  const key = randomBytes(32).toString("base64");
  afterAll(async () => {
    await query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
  });

  it(`${WORKERS} processes × ${OPERATIONS} operations lose nothing and corrupt nothing`, async (context) => {
    gate(context);
    const started = performance.now();
    const startAt = String(Date.now() + 2_000);
    const env = { SQLBLOCKS_HOME: home, SQLBLOCKS_ENCRYPTION_KEY: key, SQLBLOCKS_STORE_URL: PLAIN_URL, SQLBLOCKS_STORE_SCHEMA: schema };
    const results = await Promise.all(
      Array.from({ length: WORKERS }, (_, worker) =>
        runFixture("store-worker.mjs", [...[worker, OPERATIONS, OWN_NAMES, SHARED_NAMES].map(String), startAt], {
          env,
          timeoutMs: 100_000,
        }),
      ),
    );
    const elapsed = performance.now() - started;
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const reports = results.map((result) => JSON.parse(result.stdout) as WorkerReport);
    expect(reports.flatMap((r) => r.unexpected)).toEqual([]);
    expect(reports.flatMap((r) => r.anomalies)).toEqual([]);

    const store = await BlockStore.open({ home, engine: "postgres", url: PLAIN_URL, schema, env: { SQLBLOCKS_ENCRYPTION_KEY: key } });
    try {
      await expectNothingLostOrCorrupt(store, reports, WORKERS * OWN_NAMES);
    } finally {
      await store.close();
    }
    // The schema was created and migrated once; one key-check record; no plain-text secret.
    const meta = await query<{ key: string; value: string }>(`SELECT key, value FROM ${schema}.store_meta ORDER BY key`);
    expect(meta.map((row) => row.key)).toEqual(["key_check", "key_id", "schema_version:@sqlblocks/core"]);
    const rows = await query<{ data: string }>(`SELECT data FROM ${schema}.block_documents`);
    expect(rows.some((row) => row.data.includes("pw-w"))).toBe(false);

    const total = reports.reduce((sum, r) => sum + r.operations, 0);
    const byOperation: Record<string, number> = {};
    const outcomes: Record<string, number> = {};
    for (const report of reports) {
      for (const [op, n] of Object.entries(report.counts)) byOperation[op] = (byOperation[op] ?? 0) + n;
      for (const [kind, n] of Object.entries(report.expectedOutcomes)) outcomes[kind] = (outcomes[kind] ?? 0) + n;
    }
    expect(outcomes.BlockAlreadyExistsError).toBeGreaterThan(0);
    expect(outcomes.BlockNotFoundError).toBeGreaterThan(0);
    console.log(
      `[store pg] ${WORKERS} processes × ${OPERATIONS} = ${total} operations in ${Math.round(elapsed)} ms (slowest worker ${Math.max(...reports.map((r) => r.ms))} ms); ` +
        `${JSON.stringify(byOperation)}; expected outcomes ${JSON.stringify(outcomes)}; unexpected errors 0; lost or corrupt documents 0`,
    );
  }, 120_000);
});
