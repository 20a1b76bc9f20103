import { EncryptionKeyError, StoreError } from "../errors.js";
import type { BlockStore, SealedDocumentRow } from "./block-store.js";

/** What {@link copyBlocks} did. */
export interface BlockCopyResult {
  /** Documents created in the target. */
  copied: number;
  /** Documents already in the target with the same content. */
  unchanged: number;
  /** Documents that differed in the target and were replaced (`overwrite`). */
  overwritten: number;
  /** `type/name` of documents that differ in the target and were left alone. */
  conflicts: string[];
  /** Block types recorded in the target. */
  types: number;
}

/**
 * Copies block types and documents from one store into another, still sealed: documents
 * are moved as stored (the same ciphertext and key id), so both stores must use the same
 * encryption key — checked first. A document that exists in the target with other content
 * is replaced only with `overwrite`, else listed in `conflicts`. Running it twice copies
 * nothing new. Everything is written in one transaction on the target.
 *
 * @throws {EncryptionKeyError} when the target store is sealed with another key; nothing is written
 */
export async function copyBlocks(
  source: BlockStore,
  target: BlockStore,
  options: { overwrite?: boolean } = {},
): Promise<BlockCopyResult> {
  if (source.location === target.location) {
    throw new StoreError(`the source and the target are the same store (${source.location})`);
  }
  const sourceKey = await source.keyId();
  let targetKey: string;
  try {
    targetKey = await target.keyId();
  } catch (error) {
    if (!(error instanceof EncryptionKeyError)) throw error;
    throw new EncryptionKeyError(
      `the store at ${target.location} is encrypted with another key than the store at ${source.location}: ` +
        "both must use the same key (set SQLBLOCKS_ENCRYPTION_KEY to the source's key); nothing was copied",
      { cause: error },
    );
  }
  if (sourceKey !== targetKey) {
    throw new EncryptionKeyError(`the two stores use different keys (${sourceKey}, ${targetKey}); nothing was copied`);
  }
  const types = await source.listTypes();
  const rows = await source.db.all<SealedDocumentRow>("SELECT * FROM block_documents ORDER BY type_slug, name");
  const result: BlockCopyResult = { copied: 0, unchanged: 0, overwritten: 0, conflicts: [], types: types.length };
  for (const type of types) await target.registerType(type);
  await target.db.transaction(async (tx) => {
    for (const row of rows) {
      const existing = await tx.get<SealedDocumentRow>("SELECT * FROM block_documents WHERE type_slug = ? AND name = ?", [
        row.type_slug,
        row.name,
      ]);
      if (!existing) {
        await tx.run(
          "INSERT INTO block_documents (id, type_slug, name, data, schema_version, created_at, updated_at, key_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          [row.id, row.type_slug, row.name, row.data, Number(row.schema_version), row.created_at, row.updated_at, row.key_id ?? null],
        );
        result.copied++;
        continue;
      }
      if (existing.data === row.data || target.openSealed(existing) === source.openSealed(row)) {
        result.unchanged++;
        continue;
      }
      if (!options.overwrite) {
        result.conflicts.push(`${row.type_slug}/${row.name}`);
        continue;
      }
      await tx.run("UPDATE block_documents SET data = ?, schema_version = ?, updated_at = ?, key_id = ? WHERE id = ?", [
        row.data,
        Number(row.schema_version),
        row.updated_at,
        row.key_id ?? null,
        existing.id,
      ]);
      result.overwritten++;
    }
  });
  return result;
}
