import { statSync } from "node:fs";
import path from "node:path";
import {
  BlockStore,
  KEY_FILE_NAME,
  copyBlocks,
  getDefaultStore,
  parseConnectionUrl,
  STORE_URL_ENV,
  schemaVersions,
} from "@sqlblocks/core";
import { copyRunHistory } from "@sqlblocks/flow";
import type { Command } from "commander";
import { CommandError, UsageError } from "../errors.js";
import { json } from "../format.js";
import type { CliIo } from "../io.js";

async function count(store: BlockStore, tableName: string): Promise<number | undefined> {
  try {
    const row = await store.db.get<{ n: number | string }>(`SELECT count(*) AS n FROM ${tableName}`);
    return Number(row?.n ?? 0);
  } catch {
    return undefined;
  }
}

/**
 * Files of an embedded store that other users can read or write (any group/other permission
 * bit): the database, its -wal and -shm files, the key file and the folder.
 */
function exposedFiles(store: BlockStore): string[] {
  if (store.db.dialect !== "sqlite") return [];
  const database = store.location;
  const candidates = [path.dirname(database), database, `${database}-wal`, `${database}-shm`, path.join(store.home, KEY_FILE_NAME)];
  const warnings: string[] = [];
  for (const file of candidates) {
    let mode: number;
    try {
      mode = statSync(file).mode & 0o777;
    } catch {
      continue;
    }
    if ((mode & 0o077) !== 0) {
      const wanted = file === path.dirname(database) ? "700" : "600";
      warnings.push(`${file} can be read by other users (mode ${mode.toString(8).padStart(3, "0")}): chmod ${wanted} ${file}`);
    }
  }
  return warnings;
}

/** `sqlblocks store info`: the engine and location in use (never a password); warns about store files others can read. */
export async function storeInfo(io: CliIo, options: { json?: boolean }): Promise<void> {
  const store = await getDefaultStore();
  const info = {
    engine: store.db.engine,
    location: store.location,
    schemaVersions: await schemaVersions(store.db),
    keyId: (await store.db.get<{ value: string }>("SELECT value FROM store_meta WHERE key = 'key_id'"))?.value ?? null,
    blocks: await count(store, "block_documents"),
    flowRuns: await count(store, "flow_runs"),
    warnings: exposedFiles(store),
  };
  for (const warning of info.warnings) io.err(`warning: ${warning}`);
  if (options.json) {
    io.out(json(info));
    return;
  }
  const rows: [string, string][] = [
    ["engine", info.engine],
    ["location", info.location],
    ["schema", Object.entries(info.schemaVersions).map(([owner, v]) => `${owner} ${v}`).join(", ") || "-"],
    ["key id", info.keyId ?? "- (nothing encrypted yet)"],
    ["blocks", String(info.blocks ?? 0)],
    ["flow runs", info.flowRuns === undefined ? "-" : String(info.flowRuns)],
  ];
  for (const [label, value] of rows) io.out(`${label.padEnd(10)}${value}`);
}

/**
 * `sqlblocks store migrate --to <url>`: copies the current store (blocks still sealed,
 * runs and logs) into a PostgreSQL store. Idempotent; conflicting blocks are listed and
 * only replaced with `--overwrite`.
 */
export async function storeMigrate(io: CliIo, options: { to?: string; schema?: string; overwrite?: boolean; json?: boolean }): Promise<void> {
  if (!options.to) throw new UsageError("--to <url> is required, e.g. --to postgresql://user@host:5432/db");
  let hasPassword = false;
  try {
    hasPassword = parseConnectionUrl(options.to).password !== undefined;
  } catch {
    // BlockStore.open below reports a bad URL as a StoreError.
  }
  if (hasPassword) {
    io.err("warning: the URL contains a password, which is now in your shell history; prefer PGPASSWORD=… with a URL without it");
  }
  const source = await getDefaultStore();
  const target = await BlockStore.open({ engine: "postgres", url: options.to, schema: options.schema, home: source.home });
  try {
    const blocks = await copyBlocks(source, target, { overwrite: options.overwrite ?? false });
    const runs = await copyRunHistory(source.db, target.db);
    if (options.json) {
      io.out(json({ from: source.location, to: target.location, blocks, runs }));
    } else {
      io.out(`Copied from ${source.location} (${source.db.engine}) to ${target.location}:`);
      io.out(
        `  blocks: ${blocks.copied} copied, ${blocks.unchanged} already there, ${blocks.overwritten} overwritten, ${blocks.conflicts.length} conflicting` +
          ` (still encrypted; ${blocks.types} block types)`,
      );
      io.out(`  runs: ${runs.flowRuns} flow runs, ${runs.taskRuns} task runs, ${runs.logs} log records`);
      for (const name of blocks.conflicts) {
        io.out(`  conflict: ${name} exists in the target with different content; not overwritten`);
      }
      if (blocks.conflicts.length === 0) io.out(`Use it with ${STORE_URL_ENV}=<the URL> on every machine (and the same encryption key).`);
    }
    if (blocks.conflicts.length > 0) {
      throw new CommandError(
        `${blocks.conflicts.length} block(s) differ in the target and were left alone: compare them, then rerun with --overwrite to replace them`,
      );
    }
  } finally {
    await target.close();
  }
}

/** Registers `sqlblocks store info|migrate`. */
export function registerStoreCommands(program: Command, io: CliIo): void {
  const store = program.command("store").description("show and move the block store (embedded SQLite or PostgreSQL)");
  store
    .command("info")
    .description("print the store's engine and location (never a password), schema versions and key id")
    .option("--json", "print JSON")
    .action((options: { json?: boolean }) => storeInfo(io, options));
  store
    .command("migrate")
    .description("copy this store's blocks (still encrypted), runs and logs into a PostgreSQL store")
    .requiredOption("--to <url>", "the PostgreSQL store, e.g. postgresql://user@host:5432/db (password: PGPASSWORD)")
    .option("--schema <schema>", "the schema in the target (default sqlblocks)")
    .option("--overwrite", "replace blocks that exist in the target with different content")
    .option("--json", "print JSON")
    .action((options: { to: string; schema?: string; overwrite?: boolean; json?: boolean }) => storeMigrate(io, options));
}
