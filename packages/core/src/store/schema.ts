import type { StoreDatabase } from "./database.js";

/** One step of the store's schema, applied once, in order. */
interface Migration {
  version: number;
  statements: readonly string[];
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    statements: [
      `CREATE TABLE IF NOT EXISTS store_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      )`,
      `CREATE TABLE IF NOT EXISTS block_types (
        slug TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        description TEXT NOT NULL,
        documentation_url TEXT,
        fields TEXT NOT NULL,
        secret_fields TEXT NOT NULL,
        schema_version INTEGER NOT NULL,
        updated_at TEXT NOT NULL
      )`,
      `CREATE TABLE IF NOT EXISTS block_documents (
        id TEXT PRIMARY KEY,
        type_slug TEXT NOT NULL,
        name TEXT NOT NULL,
        data TEXT NOT NULL,
        schema_version INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (type_slug, name)
      )`,
      `CREATE TABLE IF NOT EXISTS flow_runs (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        state TEXT NOT NULL,
        tags TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        error TEXT,
        created_at TEXT NOT NULL,
        started_at TEXT,
        ended_at TEXT,
        pid INTEGER,
        hostname TEXT
      )`,
      `CREATE TABLE IF NOT EXISTS task_runs (
        id TEXT PRIMARY KEY,
        flow_run_id TEXT,
        name TEXT NOT NULL,
        state TEXT NOT NULL,
        tags TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        error TEXT,
        created_at TEXT NOT NULL,
        started_at TEXT,
        ended_at TEXT
      )`,
      "CREATE INDEX IF NOT EXISTS task_runs_by_flow ON task_runs (flow_run_id)",
      `CREATE TABLE IF NOT EXISTS run_logs (
        id INTEGER PRIMARY KEY,
        flow_run_id TEXT,
        task_run_id TEXT,
        kind TEXT NOT NULL,
        level TEXT NOT NULL,
        message TEXT NOT NULL,
        duration_ms REAL,
        row_count INTEGER,
        at TEXT NOT NULL
      )`,
      "CREATE INDEX IF NOT EXISTS run_logs_by_flow ON run_logs (flow_run_id, id)",
    ],
  },
  {
    // A task called outside a flow has no flow run to settle it after a crash: it records
    // its own process.
    version: 2,
    statements: ["ALTER TABLE task_runs ADD COLUMN pid INTEGER", "ALTER TABLE task_runs ADD COLUMN hostname TEXT"],
  },
];

/** The newest schema version this package writes. */
export const STORE_SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/** Brings a store's schema up to date; safe when several processes start at once. */
export async function migrateStore(db: StoreDatabase): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.run(MIGRATIONS[0]!.statements[0]!);
    const row = await tx.get<{ value: string }>("SELECT value FROM store_meta WHERE key = 'schema_version'");
    const current = row ? Number(row.value) : 0;
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      for (const statement of migration.statements) await tx.run(statement);
    }
    if (current < STORE_SCHEMA_VERSION) {
      await tx.run(
        "INSERT INTO store_meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [String(STORE_SCHEMA_VERSION)],
      );
    }
  });
}
