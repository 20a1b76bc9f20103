import type { StoreMigrationSet } from "./migrations.js";

/** The owner name core records its schema version under. */
export const CORE_OWNER = "@sqlblocks/core";

/**
 * Core's tables: the store's metadata, block types and encrypted block documents. Run
 * history belongs to `@sqlblocks/flow`, which migrates its own tables.
 */
export const CORE_MIGRATIONS: StoreMigrationSet = {
  owner: CORE_OWNER,
  migrations: [
    {
      version: 1,
      statements: () => [
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
      ],
    },
    {
      // Which key sealed each document (a fingerprint, never the key), for key rotation.
      version: 2,
      statements: () => ["ALTER TABLE block_documents ADD COLUMN key_id TEXT"],
    },
  ],
  // Stores from before per-package versions (schema_version 1 or 2) have core's version 1.
  fromLegacyVersion: (legacy) => (legacy >= 1 ? 1 : 0),
};

/** The newest schema version of core's tables. */
export const STORE_SCHEMA_VERSION = CORE_MIGRATIONS.migrations.length;
