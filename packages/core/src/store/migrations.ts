import { StoreError } from "../errors.js";
import type { StoreDatabase, StoreDialect } from "./database.js";

/** One step of a package's tables, applied once, in order. */
export interface StoreMigration {
  /** 1, 2, 3…: the schema version this step brings the package's tables to. */
  version: number;
  /** The statements of this step, for the store's dialect (`"sqlite"` or `"postgres"`). */
  statements: (dialect: StoreDialect) => readonly string[];
}

/**
 * The tables one package keeps in the store. Each package records its own schema version
 * (`store_meta` key `schema_version:<owner>`), so packages upgrade independently.
 *
 * @example
 * const MY_TABLES: StoreMigrationSet = {
 *   owner: "@sqlblocks/dbos",
 *   migrations: [{ version: 1, statements: (dialect) => [
 *     `CREATE TABLE IF NOT EXISTS dbos_things (id TEXT PRIMARY KEY, n ${dialect === "postgres" ? "BIGINT" : "INTEGER"})`,
 *   ] }],
 * };
 * const store = await getDefaultStore();
 * await store.migrate(MY_TABLES);           // once per process; safe across processes
 * await store.db.run("INSERT INTO dbos_things (id, n) VALUES (?, ?)", ["a", 1]);
 */
export interface StoreMigrationSet {
  /** The owning package's name, e.g. `"@sqlblocks/flow"`. */
  owner: string;
  /** The steps, versions 1…n in order. */
  migrations: readonly StoreMigration[];
  /**
   * For stores written before per-package versions (one `schema_version` for everything):
   * the version of this package's tables such a store already has.
   */
  fromLegacyVersion?: (legacy: number) => number;
}

const META_TABLE = `CREATE TABLE IF NOT EXISTS store_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
)`;

/** The `store_meta` key holding a package's schema version. */
export function schemaVersionKey(owner: string): string {
  return `schema_version:${owner}`;
}

function latest(set: StoreMigrationSet): number {
  let version = 0;
  for (const migration of set.migrations) {
    if (migration.version !== version + 1) {
      throw new StoreError(`${set.owner}'s store migrations must be numbered 1, 2, 3… (found ${migration.version} after ${version})`);
    }
    version = migration.version;
  }
  return version;
}

function newerError(db: StoreDatabase, set: StoreMigrationSet, stored: number, known: number): StoreError {
  return new StoreError(
    `the store at ${db.location} has ${set.owner} tables at schema version ${stored}, newer than this ${set.owner} knows (${known}): ` +
      `upgrade ${set.owner} to the version that wrote it; nothing was changed`,
  );
}

/**
 * Brings one package's tables up to date and returns the version they are at. Runs once
 * even when several processes open a new store at the same moment: the work happens in
 * one write transaction (SQLite `BEGIN IMMEDIATE`; PostgreSQL advisory lock), and the
 * version is read again inside it.
 *
 * @throws {StoreError} when the store is newer than the code (nothing is changed)
 */
export async function applyMigrations(db: StoreDatabase, set: StoreMigrationSet): Promise<number> {
  const known = latest(set);
  const key = schemaVersionKey(set.owner);
  // Fast path without the write lock: an up-to-date store is only read.
  let stored: number | undefined;
  try {
    const row = await db.get<{ value: string }>("SELECT value FROM store_meta WHERE key = ?", [key]);
    stored = row ? Number(row.value) : undefined;
  } catch {
    // No store_meta yet (a new store): the locked path below creates it.
  }
  if (stored === known) return known;
  if (stored !== undefined && stored > known) throw newerError(db, set, stored, known);
  return db.transaction(async (tx) => {
    await tx.run(META_TABLE);
    const rows = await tx.all<{ key: string; value: string }>(
      "SELECT key, value FROM store_meta WHERE key IN (?, 'schema_version')",
      [key],
    );
    const own = rows.find((row) => row.key === key);
    const legacy = rows.find((row) => row.key === "schema_version");
    let current = own ? Number(own.value) : 0;
    if (!own && legacy && set.fromLegacyVersion) current = set.fromLegacyVersion(Number(legacy.value));
    if (current > known) throw newerError(db, set, current, known);
    for (const migration of set.migrations) {
      if (migration.version <= current) continue;
      for (const statement of migration.statements(tx.dialect)) await tx.run(statement);
    }
    if (!own || current !== Number(own.value) || current < known) {
      await tx.run(
        "INSERT INTO store_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, String(known)],
      );
    }
    return known;
  });
}

/** Every package's recorded schema version, by owner (for `sqlblocks store info`). */
export async function schemaVersions(db: StoreDatabase): Promise<Record<string, number>> {
  const rows = await db.all<{ key: string; value: string }>(
    "SELECT key, value FROM store_meta WHERE key LIKE 'schema_version%' ORDER BY key",
  );
  const versions: Record<string, number> = {};
  for (const row of rows) versions[row.key.replace(/^schema_version:?/, "") || "(before per-package versions)"] = Number(row.value);
  return versions;
}
