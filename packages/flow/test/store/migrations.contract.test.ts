/**
 * The store contract, part 3: schema versions per package on every engine — stores from
 * before per-package versions upgrade in place, newer stores are refused, concurrent
 * openers migrate once.
 */
import { type BlockStore, SqlConnector, StoreError, schemaVersions } from "@sqlblocks/core";
import { afterAll, describe, expect, it } from "vitest";
import { ensureFlowTables, FLOW_SCHEMA_VERSION, RunHistory, RunState } from "../../src/index.js";
import { ENGINES, type StoreLocation } from "./engines.js";

const now = new Date().toISOString();

async function seed(store: BlockStore, name: string): Promise<void> {
  await new SqlConnector({ connectionInfo: "postgresql+pg://app:Legacy-Pw-3@db:5432/shop" }).save(name, { store });
  await new RunHistory(store.db).write({
    flowRuns: [{ id: `${name}-run`, name: "legacy-flow", state: RunState.COMPLETED, tags: [], attempts: 1, error: undefined, createdAt: now, startedAt: now, endedAt: now, pid: 1, hostname: "h" }],
    taskRuns: [{ id: `${name}-task`, flowRunId: `${name}-run`, name: "legacy-task", state: RunState.COMPLETED, tags: [], attempts: 1, error: undefined, createdAt: now, startedAt: now, endedAt: now, pid: undefined, hostname: undefined }],
    logs: [{ id: 0, flowRunId: `${name}-run`, taskRunId: `${name}-task`, kind: "log", level: "INFO", message: "kept", durationMs: undefined, rowCount: undefined, at: now }],
  });
}

/**
 * Turns a current store into the layout of stores written before per-package versions
 * (one schema_version for core's and flow's tables; no key ids): the same tables and rows
 * those versions wrote.
 */
async function makeLegacy(store: BlockStore, legacyVersion: 1 | 2): Promise<void> {
  await store.db.transaction(async (tx) => {
    await tx.run("ALTER TABLE block_documents DROP COLUMN key_id");
    // Flow's version 4 columns (parameters, result) came long after.
    await tx.run("ALTER TABLE flow_runs DROP COLUMN parameters");
    await tx.run("ALTER TABLE flow_runs DROP COLUMN result");
    if (legacyVersion === 1) {
      await tx.run("ALTER TABLE task_runs DROP COLUMN pid");
      await tx.run("ALTER TABLE task_runs DROP COLUMN hostname");
    }
    await tx.run("DELETE FROM store_meta WHERE key LIKE 'schema_version%' OR key = 'key_id'");
    await tx.run("INSERT INTO store_meta (key, value) VALUES ('schema_version', ?)", [String(legacyVersion)]);
  });
}

for (const engine of ENGINES) {
  describe.skipIf(engine.unavailable)(`store contract: migrations on ${engine.engine}${engine.unavailable ? ` (skipped: ${engine.unavailable})` : ""}`, () => {
    const locations: StoreLocation[] = [];
    const fresh = () => {
      const location = engine.location();
      locations.push(location);
      return location;
    };
    afterAll(async () => {
      for (const location of locations) await location.drop();
    });

    for (const legacy of [1, 2] as const) {
      it(`upgrades a store with the old single schema_version ${legacy} in place, losing no block, run or log`, async () => {
        const location = fresh();
        const first = await location.open();
        await seed(first, "legacy");
        await makeLegacy(first, legacy);
        await first.close();

        const store = await location.open();
        try {
          expect((await SqlConnector.load("legacy", { store })).components.password?.reveal()).toBe("Legacy-Pw-3");
          const history = new RunHistory(store.db);
          const [run] = await history.listFlowRuns({ name: "legacy-flow" });
          expect(run?.id).toBe("legacy-run");
          expect((await history.listTaskRuns("legacy-run")).map((t) => t.name)).toEqual(["legacy-task"]);
          expect((await history.logs("legacy-run")).map((l) => l.message)).toEqual(["kept"]);
          expect(await schemaVersions(store.db)).toEqual({
            "(before per-package versions)": legacy,
            "@sqlblocks/core": 2,
            "@sqlblocks/flow": FLOW_SCHEMA_VERSION,
          });
          // Writing again works and records the key id on the old document.
          await new SqlConnector({ connectionInfo: "postgresql+pg://app:New-Pw@db:5432/shop" }).save("legacy", { store, overwrite: true });
          const [row] = await store.db.all<{ key_id: string | null }>("SELECT key_id FROM block_documents");
          expect(row?.key_id).toMatch(/^[0-9a-f]{16}$/);
        } finally {
          await store.close();
        }
      });
    }

    it("upgrades a store at flow version 3 (before parameters and results) in place, keeping every run", async () => {
      const location = fresh();
      const first = await location.open();
      await seed(first, "v3");
      await first.db.transaction(async (tx) => {
        await tx.run("ALTER TABLE flow_runs DROP COLUMN parameters");
        await tx.run("ALTER TABLE flow_runs DROP COLUMN result");
        await tx.run("UPDATE store_meta SET value = '3' WHERE key = 'schema_version:@sqlblocks/flow'");
      });
      await first.close();

      const store = await location.open();
      try {
        const history = new RunHistory(store.db);
        const old = await history.getFlowRun("v3-run");
        expect(old).toMatchObject({ id: "v3-run", name: "legacy-flow", state: RunState.COMPLETED, parameters: undefined, result: undefined });
        expect((await history.listTaskRuns("v3-run")).map((t) => t.name)).toEqual(["legacy-task"]);
        expect((await history.logs("v3-run")).map((l) => l.message)).toEqual(["kept"]);
        expect((await schemaVersions(store.db))["@sqlblocks/flow"]).toBe(FLOW_SCHEMA_VERSION);
        await history.write({ flowRuns: [{ ...old!, id: "v4-run", parameters: '{"day":"2024-01-01"}', result: "3" }] });
        expect(await history.getFlowRun("v4-run")).toMatchObject({ parameters: '{"day":"2024-01-01"}', result: "3" });
      } finally {
        await store.close();
      }
    });

    it("refuses a store whose tables are newer than the code, changing nothing", async () => {
      const location = fresh();
      const store = await location.open();
      await ensureFlowTables(store.db);
      await store.db.run("UPDATE store_meta SET value = '99' WHERE key = 'schema_version:@sqlblocks/flow'");
      await store.close();
      const reopened = await location.open();
      try {
        const error = await new RunHistory(reopened.db).listFlowRuns().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StoreError);
        expect((error as Error).message).toBe(
          `the store at ${reopened.location} has @sqlblocks/flow tables at schema version 99, newer than this @sqlblocks/flow knows (${FLOW_SCHEMA_VERSION}): upgrade @sqlblocks/flow to the version that wrote it; nothing was changed`,
        );
        await reopened.db.run("UPDATE store_meta SET value = '7' WHERE key = 'schema_version:@sqlblocks/core'");
      } finally {
        await reopened.close();
      }
      const refused = await location.open().catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(StoreError);
      expect((refused as Error).message).toContain("has @sqlblocks/core tables at schema version 7, newer than this @sqlblocks/core knows (2)");
    });

    it("migrates once when many openers start on a new store at the same moment", async () => {
      const location = fresh();
      const stores = await Promise.all(Array.from({ length: 6 }, () => location.open()));
      try {
        await Promise.all(stores.map((store) => ensureFlowTables(store.db)));
        expect(await schemaVersions(stores[0]!.db)).toEqual({ "@sqlblocks/core": 2, "@sqlblocks/flow": FLOW_SCHEMA_VERSION });
        const tables = await stores[0]!.db.all<{ n: number | string }>(
          engine.engine === "postgres"
            ? `SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = '${location.schema}'`
            : "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'",
        );
        expect(Number(tables[0]?.n)).toBe(6);
      } finally {
        await Promise.all(stores.map((store) => store.close()));
      }
    });
  });
}
