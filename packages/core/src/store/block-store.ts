import { randomUUID } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { decryptText, encryptText } from "../crypto/cipher.js";
import { ENCRYPTION_KEY_ENV, type EncryptionKey, keyFingerprint, loadEncryptionKey, loadPendingKey } from "../crypto/keys.js";
import { BlockAlreadyExistsError } from "../errors.js";
import type { StoreDatabase } from "./database.js";
import { applyMigrations, type StoreMigrationSet } from "./migrations.js";
import { openStoreDatabase, resolveStoreTarget, type StoreOptions } from "./open-database.js";
import { CORE_MIGRATIONS } from "./schema.js";

/** The environment variable that moves the store's folder (default `~/.sqlblocks`). */
export const HOME_ENV = "SQLBLOCKS_HOME";
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

/** A block document as stored: `data` sealed, `key_id` the fingerprint of the key that sealed it. */
export interface SealedDocumentRow {
  id: string;
  type_slug: string;
  name: string;
  data: string;
  schema_version: number;
  created_at: string;
  updated_at: string;
  key_id: string | null;
}

/** What {@link BlockStore.rotateKey} did. */
export interface KeyRotationResult {
  /** Documents re-encrypted. */
  documents: number;
  /** Fingerprint of the key the store used before. */
  from: string;
  /** Fingerprint of the new key. */
  to: string;
}

/**
 * Block types, encrypted block documents, and (through {@link BlockStore.db}) the tables
 * other packages keep in the store (run history, …; see {@link BlockStore.migrate}).
 *
 * Each document's data is sealed with AES-256-GCM bound to its type and name, and records
 * the fingerprint of the key that sealed it (`key_id`).
 */
export class BlockStore {
  readonly db: StoreDatabase;
  /** The folder of the key file (and, for the embedded store, of the database). */
  readonly home: string;
  readonly #env: NodeJS.ProcessEnv;
  readonly #migrated = new Map<string, Promise<number>>();
  /** Block types this object has recorded, as written: saving the same again is skipped. */
  readonly #types = new Map<string, string>();
  #key: EncryptionKey | undefined;
  #pending: EncryptionKey | null | undefined;
  #writeKey: EncryptionKey | undefined;

  private constructor(db: StoreDatabase, home: string, env: NodeJS.ProcessEnv) {
    this.db = db;
    this.home = home;
    this.#env = env;
  }

  /** Where the store lives (a file path, or a server URL without its password). */
  get location(): string {
    return this.db.location;
  }

  /**
   * Opens (creating if needed) the store the options and environment name — PostgreSQL
   * when a URL is set, else the embedded SQLite file in `home` — or wraps another
   * {@link StoreDatabase}; core's tables are brought up to date.
   */
  static async open(
    options: StoreOptions & { database?: StoreDatabase; env?: NodeJS.ProcessEnv } = {},
  ): Promise<BlockStore> {
    const env = options.env ?? process.env;
    const home = options.home ?? storeHome(env);
    const db = options.database ?? openStoreDatabase(resolveStoreTarget(options, home, env));
    const store = new BlockStore(db, home, env);
    try {
      await store.migrate(CORE_MIGRATIONS);
    } catch (error) {
      await db.close().catch(() => undefined);
      throw error;
    }
    return store;
  }

  /**
   * Brings a package's own tables up to date, once per store object (later calls reuse the
   * first result). Safe when several processes do it at once.
   *
   * @throws {StoreError} when the store holds a newer version of those tables than the code knows
   */
  migrate(set: StoreMigrationSet): Promise<number> {
    let pending = this.#migrated.get(set.owner);
    if (!pending) {
      pending = applyMigrations(this.db, set);
      this.#migrated.set(set.owner, pending);
      pending.catch(() => this.#migrated.delete(set.owner));
    }
    return pending;
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  /** Records (or refreshes) a block type. */
  async registerType(type: BlockTypeRecord): Promise<void> {
    const recorded = JSON.stringify([type.name, type.description, type.documentationUrl, type.fields, type.secretFields, type.schemaVersion]);
    if (this.#types.get(type.slug) === recorded) return;
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
    this.#types.set(type.slug, recorded);
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
    const key = await this.#verifiedWriteKey();
    await this.db.transaction(async (tx) => {
      const previous = await this.#read(tx, typeSlug, name);
      if (previous && !options.overwrite) throw new BlockAlreadyExistsError(options.typeName, name);
      const sealed = encryptText(key.key, build(previous?.data), documentContext(typeSlug, name));
      const keyId = keyFingerprint(key.key);
      const now = new Date().toISOString();
      if (previous) {
        await tx.run("UPDATE block_documents SET data = ?, schema_version = ?, updated_at = ?, key_id = ? WHERE id = ?", [
          sealed,
          options.schemaVersion,
          now,
          keyId,
          previous.id,
        ]);
      } else {
        await tx.run(
          "INSERT INTO block_documents (id, type_slug, name, data, schema_version, created_at, updated_at, key_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          [randomUUID(), typeSlug, name, sealed, options.schemaVersion, now, now, keyId],
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
    const rows = await this.db.all<SealedDocumentRow>(
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

  /**
   * Checks the configured key against the store's key-check record (recording it on a new
   * store) and returns the key's fingerprint, the `key_id` new documents get.
   *
   * @throws {EncryptionKeyError} when the key is not the store's key
   */
  async keyId(): Promise<string> {
    return keyFingerprint((await this.#verifiedWriteKey()).key);
  }

  /** Opens a sealed row read straight from a store (e.g. while copying stores). */
  openSealed(row: Pick<SealedDocumentRow, "type_slug" | "name" | "data" | "key_id">): string {
    const key = this.#keyFor(row.key_id);
    return decryptText(key.key, row.data, documentContext(row.type_slug, row.name), key.source);
  }

  /**
   * Re-encrypts every block document and the key-check record with `next`, in one
   * transaction: a failure or crash part-way leaves everything sealed with the old key.
   * Documents must be readable with the current key (or a pending one) first.
   *
   * @throws {EncryptionKeyError} when a document cannot be opened; nothing is changed
   */
  async rotateKey(next: EncryptionKey): Promise<KeyRotationResult> {
    const current = await this.#verifiedWriteKey();
    const to = keyFingerprint(next.key);
    const documents = await this.db.transaction(async (tx) => {
      const rows = await tx.all<SealedDocumentRow>("SELECT id, type_slug, name, data, key_id FROM block_documents ORDER BY id");
      for (const row of rows) {
        const plain = this.openSealed(row);
        await tx.run("UPDATE block_documents SET data = ?, key_id = ? WHERE id = ?", [
          encryptText(next.key, plain, documentContext(row.type_slug, row.name)),
          to,
          row.id,
        ]);
      }
      await this.#recordKeyCheck(tx, next);
      return rows.length;
    });
    this.#writeKey = next;
    this.#pending = next;
    return { documents, from: keyFingerprint(current.key), to };
  }

  async #read(db: StoreDatabase, typeSlug: string, name: string): Promise<BlockDocument | undefined> {
    const row = await db.get<SealedDocumentRow>(
      "SELECT id, type_slug, name, data, schema_version, created_at, updated_at, key_id FROM block_documents WHERE type_slug = ? AND name = ?",
      [
        typeSlug,
        name,
      ],
    );
    if (!row) return undefined;
    return {
      id: row.id,
      typeSlug: row.type_slug,
      name: row.name,
      data: this.openSealed(row),
      schemaVersion: Number(row.schema_version),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  #primaryKey(): EncryptionKey {
    this.#key ??= loadEncryptionKey(this.home, this.#env);
    return this.#key;
  }

  /** The key a document names: the configured key, or the one `key rotate` left beside it. */
  #keyFor(keyId: string | null | undefined): EncryptionKey {
    const primary = this.#primaryKey();
    if (!keyId || keyFingerprint(primary.key) === keyId) return primary;
    // Only beside a key file: a key from the environment is replaced in the environment.
    if (this.#pending === undefined) {
      this.#pending = this.#env[ENCRYPTION_KEY_ENV] ? null : (loadPendingKey(this.home) ?? null);
    }
    if (this.#pending && keyFingerprint(this.#pending.key) === keyId) return this.#pending;
    return primary;
  }

  async #recordKeyCheck(tx: StoreDatabase, key: EncryptionKey): Promise<void> {
    const upsert = "INSERT INTO store_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
    await tx.run(upsert, ["key_check", encryptText(key.key, KEY_CHECK_TEXT, KEY_CHECK_CONTEXT)]);
    await tx.run(upsert, ["key_id", keyFingerprint(key.key)]);
  }

  /**
   * The key to write with: the one the store's key-check record opens. The first write
   * records the check value; later writes must be able to open it, so a wrong key
   * overwrites nothing.
   */
  async #verifiedWriteKey(): Promise<EncryptionKey> {
    if (this.#writeKey) return this.#writeKey;
    const primary = this.#primaryKey();
    const key = await this.db.transaction(async (tx) => {
      const rows = await tx.all<{ key: string; value: string }>(
        "SELECT key, value FROM store_meta WHERE key IN ('key_check', 'key_id')",
      );
      const check = rows.find((row) => row.key === "key_check")?.value;
      const keyId = rows.find((row) => row.key === "key_id")?.value ?? null;
      if (!check) {
        await this.#recordKeyCheck(tx, primary);
        return primary;
      }
      const chosen = this.#keyFor(keyId);
      decryptText(chosen.key, check, KEY_CHECK_CONTEXT, chosen.source);
      if (!keyId) {
        await tx.run("INSERT INTO store_meta (key, value) VALUES ('key_id', ?)", [keyFingerprint(chosen.key)]);
      }
      return chosen;
    });
    this.#writeKey = key;
    return key;
  }
}

function documentContext(typeSlug: string, name: string): string {
  return `block/${typeSlug}/${name}`;
}

