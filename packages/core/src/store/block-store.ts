import { randomUUID } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { decryptText, encryptText } from "../crypto/cipher.js";
import { type EncryptionKey, loadEncryptionKey } from "../crypto/keys.js";
import { BlockAlreadyExistsError, StoreError } from "../errors.js";
import type { StoreDatabase } from "./database.js";
import { migrateStore } from "./schema.js";
import { SqliteStoreDatabase } from "./sqlite-database.js";

/** The environment variable that moves the store's folder (default `~/.sqlblocks`). */
export const HOME_ENV = "SQLBLOCKS_HOME";
/** The store database's file name inside the home folder. */
export const STORE_FILE_NAME = "sqlblocks.db";
const KEY_CHECK_CONTEXT = "store/key-check";
const KEY_CHECK_TEXT = "sqlblocks";

/** The folder that holds the store and its key: `$SQLBLOCKS_HOME` or `~/.sqlblocks`. */
export function storeHome(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env[HOME_ENV];
  return path.resolve(configured && configured.trim() !== "" ? configured : path.join(os.homedir(), ".sqlblocks"));
}

/** A block type as the store records it (for listings and the CLI). */
export interface BlockTypeRecord {
  slug: string;
  name: string;
  description: string;
  documentationUrl?: string | undefined;
  fields: readonly string[];
  secretFields: readonly string[];
  schemaVersion: number;
}

/** A block document's metadata, without its data. */
export interface BlockDocumentInfo {
  typeSlug: string;
  name: string;
  schemaVersion: number;
  createdAt: string;
  updatedAt: string;
}

/** A decrypted block document. `data` is JSON text, with secrets in the clear. */
export interface BlockDocument extends BlockDocumentInfo {
  id: string;
  data: string;
}

interface DocumentRow {
  id: string;
  type_slug: string;
  name: string;
  data: string;
  schema_version: number;
  created_at: string;
  updated_at: string;
}

/**
 * Block types, encrypted block documents, and (through {@link BlockStore.db}) run history.
 *
 * Each document's data is sealed with AES-256-GCM bound to its type and name.
 */
export class BlockStore {
  readonly db: StoreDatabase;
  readonly #keyFolder: string;
  readonly #env: NodeJS.ProcessEnv;
  #key: EncryptionKey | undefined;
  #keyVerified = false;

  private constructor(db: StoreDatabase, keyFolder: string, env: NodeJS.ProcessEnv) {
    this.db = db;
    this.#keyFolder = keyFolder;
    this.#env = env;
  }

  /** Where the store lives (a file path, or a server URL with its password masked). */
  get location(): string {
    return this.db.location;
  }

  /**
   * Opens (creating if needed) the embedded store in `home`, or wraps another
   * {@link StoreDatabase}; the schema is brought up to date.
   */
  static async open(options: { home?: string; database?: StoreDatabase; env?: NodeJS.ProcessEnv } = {}): Promise<BlockStore> {
    const env = options.env ?? process.env;
    const home = options.home ?? storeHome(env);
    const db = options.database ?? new SqliteStoreDatabase(path.join(home, STORE_FILE_NAME));
    try {
      await migrateStore(db);
    } catch (error) {
      await db.close();
      throw error;
    }
    return new BlockStore(db, home, env);
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  /** Records (or refreshes) a block type. */
  async registerType(type: BlockTypeRecord): Promise<void> {
    await this.db.run(
      `INSERT INTO block_types (slug, name, description, documentation_url, fields, secret_fields, schema_version, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (slug) DO UPDATE SET name = excluded.name, description = excluded.description,
         documentation_url = excluded.documentation_url, fields = excluded.fields,
         secret_fields = excluded.secret_fields, schema_version = excluded.schema_version, updated_at = excluded.updated_at`,
      [
        type.slug,
        type.name,
        type.description,
        type.documentationUrl ?? null,
        JSON.stringify(type.fields),
        JSON.stringify(type.secretFields),
        type.schemaVersion,
        new Date().toISOString(),
      ],
    );
  }

  /** The block types recorded in this store. */
  async listTypes(): Promise<BlockTypeRecord[]> {
    const rows = await this.db.all<Record<string, string | number | null>>("SELECT * FROM block_types ORDER BY slug");
    return rows.map((row) => ({
      slug: String(row.slug),
      name: String(row.name),
      description: String(row.description),
      documentationUrl: row.documentation_url === null ? undefined : String(row.documentation_url),
      fields: JSON.parse(String(row.fields)) as string[],
      secretFields: JSON.parse(String(row.secret_fields)) as string[],
      schemaVersion: Number(row.schema_version),
    }));
  }

  /** Reads and decrypts one document; `undefined` when there is none. */
  async readDocument(typeSlug: string, name: string): Promise<BlockDocument | undefined> {
    return this.#read(this.db, typeSlug, name);
  }

  /**
   * Writes a document atomically. `build` receives the decrypted previous data (when the
   * name exists and `overwrite` is set) so the caller can keep stored secrets.
   *
   * @throws {BlockAlreadyExistsError} when the name exists and `overwrite` is not set
   */
  async writeDocument(
    typeSlug: string,
    name: string,
    options: { overwrite: boolean; typeName: string; schemaVersion: number },
    build: (previous: string | undefined) => string,
  ): Promise<void> {
    await this.#verifyKey();
    await this.db.transaction(async (tx) => {
      const previous = await this.#read(tx, typeSlug, name);
      if (previous && !options.overwrite) throw new BlockAlreadyExistsError(options.typeName, name);
      const sealed = encryptText(this.#encryptionKey().key, build(previous?.data), documentContext(typeSlug, name));
      const now = new Date().toISOString();
      if (previous) {
        await tx.run("UPDATE block_documents SET data = ?, schema_version = ?, updated_at = ? WHERE id = ?", [
          sealed,
          options.schemaVersion,
          now,
          previous.id,
        ]);
      } else {
        await tx.run(
          "INSERT INTO block_documents (id, type_slug, name, data, schema_version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
          [randomUUID(), typeSlug, name, sealed, options.schemaVersion, now, now],
        );
      }
    });
  }

  /** Deletes a document; returns whether it existed. */
  async deleteDocument(typeSlug: string, name: string): Promise<boolean> {
    const { changes } = await this.db.run("DELETE FROM block_documents WHERE type_slug = ? AND name = ?", [
      typeSlug,
      name,
    ]);
    return changes > 0;
  }

  /** Lists documents (metadata only), optionally of one type. */
  async listDocuments(typeSlug?: string): Promise<BlockDocumentInfo[]> {
    const rows = await this.db.all<DocumentRow>(
      `SELECT type_slug, name, schema_version, created_at, updated_at FROM block_documents
       ${typeSlug ? "WHERE type_slug = ?" : ""} ORDER BY type_slug, name`,
      typeSlug ? [typeSlug] : [],
    );
    return rows.map((row) => ({
      typeSlug: row.type_slug,
      name: row.name,
      schemaVersion: Number(row.schema_version),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }));
  }

  async #read(db: StoreDatabase, typeSlug: string, name: string): Promise<BlockDocument | undefined> {
    const row = await db.get<DocumentRow>("SELECT * FROM block_documents WHERE type_slug = ? AND name = ?", [
      typeSlug,
      name,
    ]);
    if (!row) return undefined;
    const key = this.#encryptionKey();
    return {
      id: row.id,
      typeSlug: row.type_slug,
      name: row.name,
      data: decryptText(key.key, row.data, documentContext(typeSlug, name), key.source),
      schemaVersion: Number(row.schema_version),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  #encryptionKey(): EncryptionKey {
    this.#key ??= loadEncryptionKey(this.#keyFolder, this.#env);
    return this.#key;
  }

  /**
   * Refuses to write with a key other than the store's: the first write records a check
   * value, later writes must be able to open it. So a wrong key overwrites nothing.
   */
  async #verifyKey(): Promise<void> {
    if (this.#keyVerified) return;
    const key = this.#encryptionKey();
    await this.db.transaction(async (tx) => {
      const row = await tx.get<{ value: string }>("SELECT value FROM store_meta WHERE key = 'key_check'");
      if (row) {
        decryptText(key.key, row.value, KEY_CHECK_CONTEXT, key.source);
      } else {
        await tx.run("INSERT INTO store_meta (key, value) VALUES ('key_check', ?)", [
          encryptText(key.key, KEY_CHECK_TEXT, KEY_CHECK_CONTEXT),
        ]);
      }
    });
    this.#keyVerified = true;
  }
}

function documentContext(typeSlug: string, name: string): string {
  return `block/${typeSlug}/${name}`;
}

const openStores = new Map<string, Promise<BlockStore>>();

/**
 * The process-wide default store: `$SQLBLOCKS_STORE_URL` when set, else the embedded
 * SQLite store in `$SQLBLOCKS_HOME`. Opened once per location and reused.
 */
export function getDefaultStore(env: NodeJS.ProcessEnv = process.env): Promise<BlockStore> {
  if (env.SQLBLOCKS_STORE_URL) {
    return Promise.reject(
      new StoreError("SQLBLOCKS_STORE_URL is not supported by this version of @sqlblocks/core yet: unset it to use the embedded store"),
    );
  }
  const home = storeHome(env);
  let store = openStores.get(home);
  if (!store) {
    store = BlockStore.open({ home, env });
    openStores.set(home, store);
    store.catch(() => openStores.delete(home));
  }
  return store;
}

/** Closes every store opened through {@link getDefaultStore} (tests, graceful shutdown). */
export async function closeDefaultStores(): Promise<void> {
  const stores = [...openStores.values()];
  openStores.clear();
  await Promise.all(stores.map(async (pending) => (await pending.catch(() => undefined))?.close()));
}
