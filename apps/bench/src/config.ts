/** Which databases a benchmark can run on, and how to reach them. */
export type Database = "postgres" | "mariadb" | "sqlite";

/** Benchmark sizes: the full run of SPEC §9, or a quick smoke run for CI. */
export interface Sizes {
  insertRows: number;
  fetchRows: number;
  pageSize: number;
  lookups: number;
  lookupTableRows: number;
  blockLoads: number;
  tasks: number;
  repetitions: number;
}

export const FULL: Sizes = {
  insertRows: 100_000,
  fetchRows: 1_000_000,
  pageSize: 10_000,
  lookups: 10_000,
  lookupTableRows: 100_000,
  blockLoads: 2_000,
  tasks: 2_000,
  repetitions: 5,
};

export const QUICK: Sizes = {
  insertRows: 2_000,
  fetchRows: 20_000,
  pageSize: 1_000,
  lookups: 300,
  lookupTableRows: 1_000,
  blockLoads: 50,
  tasks: 50,
  repetitions: 1,
};

/** Connection URLs, from the same variables the tests use. */
export function databaseUrl(database: Database, sqliteFile: string): string {
  switch (database) {
    case "postgres":
      return process.env.SQLBLOCKS_TEST_PG_URL ?? "postgresql+pg://postgres@127.0.0.1:5432/test";
    case "mariadb":
      return process.env.SQLBLOCKS_TEST_MYSQL_URL ?? "mariadb+mysql2://root@127.0.0.1:3306/test";
    case "sqlite":
      return `sqlite+better-sqlite3:///${sqliteFile}`;
  }
}
