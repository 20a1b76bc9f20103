import path from "node:path";
import type { ConnectionSettings } from "@sqlblocks/core/driver";
import Database from "better-sqlite3";
import type { DataSourceOptions } from "@sqlblocks/core/driver";

/** SQLite's own name for an in-memory database. */
export const MEMORY = ":memory:";

/**
 * Maps connector settings to TypeORM's better-sqlite3 options. The native module is handed
 * to TypeORM through `driver`, so TypeORM never looks it up by name.
 *
 * `connectArgs` are merged last: any TypeORM better-sqlite3 option (`readonly`,
 * `fileMustExist`, `timeout`, `verbose`, `statementCacheSize`, …).
 */
export function createDataSourceOptions(settings: ConnectionSettings): DataSourceOptions {
  const file = settings.components.database || MEMORY;
  const database = file === MEMORY ? MEMORY : path.resolve(file);
  const options = {
    type: "better-sqlite3" as const,
    driver: Database,
    database,
    enableWAL: database !== MEMORY,
    timeout: settings.connectTimeoutMs ?? 5000,
    prepareDatabase: (db: Database.Database) => {
      // Paging cursors stay open while other statements run on the one connection.
      db.unsafeMode(true);
    },
    ...settings.connectArgs,
  };
  return options as DataSourceOptions;
}
