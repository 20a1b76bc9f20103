import type { ZodType } from "zod";
import { BlockNotFoundError, BlockTypeNotFoundError, BlockValidationError } from "../errors.js";
import type { BlockStore, BlockTypeRecord } from "../store/block-store.js";
import { getDefaultStore } from "../store/default-store.js";
import { assertValidBlockName } from "./names.js";
import { deserializeBlockData, keepMaskedSecrets, maskBlockData, serializeBlockData } from "./serialize.js";

/** Describes a block type: its names, documentation and data schema. */
export interface BlockTypeDefinition {
  /** Human name, e.g. "SQL Connector". */
  readonly name: string;
  /** URL-safe identifier, e.g. `sql-connector`. */
  readonly slug: string;
  readonly description: string;
  readonly documentationUrl?: string;
  /** Bumped whenever the stored data's shape changes. */
  readonly schemaVersion: number;
  /** Validates stored data before the block is rebuilt from it. */
  readonly schema: ZodType<Record<string, unknown>>;
  /**
   * Optional fast check, without the schema: true only for data the schema accepts as it is
   * (nothing to strip or default). `save` and `load` then skip the schema; false lets the
   * schema decide and name the bad fields.
   */
  readonly quickCheck?: (data: Record<string, unknown>) => boolean;
  /** Top-level field names, for listings. */
  readonly fields: readonly string[];
  /** Dotted paths of fields that hold secrets, for listings. */
  readonly secretFields: readonly string[];
}

/** Options of {@link Block.save}. */
export interface SaveOptions {
  /** Replace a block of the same name; masked secrets keep their stored value. */
  overwrite?: boolean;
  /** The store to use instead of the default one. */
  store?: BlockStore;
}

/** Options of {@link Block.load}. */
export interface LoadOptions {
  /** Validate stored data against the schema (default true); false loads what it can. */
  validate?: boolean;
  store?: BlockStore;
}

/** What {@link Block.describe} tells about a saved block: its type, its record and its data with secrets masked. */
export interface BlockDescription<T extends Block = Block> {
  /** `slug/name`. */
  reference: string;
  name: string;
  type: BlockTypeRecord;
  /** The schema version the document was stored with (the type's may be newer). */
  schemaVersion: number;
  /** ISO timestamps of the document. */
  createdAt: string;
  updatedAt: string;
  /** Where the store is (a file path or a masked URL). */
  storeLocation: string;
  /** The block's data with every secret as `********`. */
  data: unknown;
  /** The loaded block, to call its own methods (e.g. `renderUrl()` on a SqlConnector). */
  block: T;
}

function typeRecord(type: BlockTypeDefinition): BlockTypeRecord {
  return {
    slug: type.slug,
    name: type.name,
    description: type.description,
    documentationUrl: type.documentationUrl,
    fields: type.fields,
    secretFields: type.secretFields,
    schemaVersion: type.schemaVersion,
  };
}

/** A concrete block class: its type, and how to rebuild an instance from stored data. */
export interface BlockClass<T extends Block = Block> {
  readonly type: BlockTypeDefinition;
  /**
   * `validate: false` loads what it can; `checked: true` says the data has just passed the
   * type's schema (as `Block.load` does before calling it), so it need not be checked again.
   */
  fromBlockData(data: Record<string, unknown>, options?: { validate?: boolean; checked?: boolean }): T;
}

const blockClasses = new Map<string, BlockClass>();

/** Makes a block type loadable through `Block.load("slug/name")`. */
export function registerBlockType(cls: BlockClass): void {
  blockClasses.set(cls.type.slug, cls);
}

/** The registered block classes, by slug. */
export function registeredBlockTypes(): BlockClass[] {
  return [...blockClasses.values()];
}

async function storeFor(options: { store?: BlockStore | undefined }): Promise<BlockStore> {
  return options.store ?? getDefaultStore();
}

async function recordType(store: BlockStore, type: BlockTypeDefinition): Promise<void> {
  await store.registerType({
    slug: type.slug,
    name: type.name,
    description: type.description,
    documentationUrl: type.documentationUrl,
    fields: type.fields,
    secretFields: type.secretFields,
    schemaVersion: type.schemaVersion,
  });
}

function splitReference(reference: string): [string, string] | undefined {
  const slash = reference.indexOf("/");
  if (slash <= 0) return undefined;
  return [reference.slice(0, slash), reference.slice(slash + 1)];
}

function validateData(type: BlockTypeDefinition, data: Record<string, unknown>, context: string): Record<string, unknown> {
  if (type.quickCheck?.(data) === true) return data;
  const result = type.schema.safeParse(data);
  if (result.success) return result.data;
  throw new BlockValidationError(
    type.name,
    result.error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message })),
    context,
  );
}

/**
 * The base of every block: a typed, named piece of configuration saved encrypted in the
 * store and loaded by name wherever it is needed.
 *
 * @example
 * await new SqlConnector({ connectionInfo: "sqlite+better-sqlite3:///demo.db" }).save("demo");
 * const connector = await SqlConnector.load("demo");
 * const any = await Block.load("sql-connector/demo");
 */
export abstract class Block {
  #blockName: string | undefined;

  /** The name this block was saved or loaded under. */
  get blockName(): string | undefined {
    return this.#blockName;
  }

  /** @internal */
  protected setBlockName(name: string): void {
    this.#blockName = name;
  }

  /** The block's type (read from its class). */
  get blockType(): BlockTypeDefinition {
    return (this.constructor as unknown as BlockClass).type;
  }

  /** The data to store, with secrets as {@link Secret} values. */
  abstract toBlockData(): Record<string, unknown>;

  /**
   * Saves this block under `name`.
   *
   * @throws {InvalidBlockNameError} for a name that breaks the rule
   * @throws {BlockAlreadyExistsError} when the name exists and `overwrite` is not set
   */
  async save(name: string, options: SaveOptions = {}): Promise<void> {
    assertValidBlockName(name);
    const type = this.blockType;
    const data = validateData(type, this.toBlockData(), "");
    const store = await storeFor(options);
    await recordType(store, type);
    await store.writeDocument(
      type.slug,
      name,
      { overwrite: options.overwrite === true, typeName: type.name, schemaVersion: type.schemaVersion },
      (previous) =>
        serializeBlockData(
          previous === undefined
            ? data
            : (keepMaskedSecrets(data, deserializeBlockData(previous)) as Record<string, unknown>),
        ),
    );
    this.#blockName = name;
  }

  /**
   * Loads a saved block by name. On the base class, pass `"slug/name"`.
   *
   * @throws {BlockNotFoundError} naming the type, the name and the store
   * @throws {BlockValidationError} naming the fields that no longer validate
   */
  static async load<T extends Block>(this: BlockClass<T> | typeof Block, name: string, options: LoadOptions = {}): Promise<T> {
    const cls = resolveClass(this, name);
    const blockName = cls === this ? name : (splitReference(name)?.[1] ?? name);
    assertValidBlockName(blockName);
    const store = await storeFor(options);
    const document = await store.readDocument(cls.type.slug, blockName);
    if (!document) throw new BlockNotFoundError(cls.type.name, blockName, store.location);
    let data: Record<string, unknown>;
    try {
      data = deserializeBlockData(document.data);
    } catch (error) {
      throw new BlockValidationError(
        cls.type.name,
        [{ path: "", message: `the stored document is not readable JSON (${(error as Error).message})` }],
        ` "${blockName}" (stored)`,
      );
    }
    if (options.validate !== false) {
      const context =
        document.schemaVersion === cls.type.schemaVersion
          ? ` "${blockName}" (stored)`
          : ` "${blockName}" (stored with schema version ${document.schemaVersion}, now ${cls.type.schemaVersion})`;
      data = validateData(cls.type, data, context);
    }
    const validate = options.validate !== false;
    const block = cls.fromBlockData(data, { validate, checked: validate }) as T;
    block.#blockName = blockName;
    return block;
  }

  /** Deletes a saved block; returns whether it existed. */
  static async delete(this: BlockClass | typeof Block, name: string, options: { store?: BlockStore } = {}): Promise<boolean> {
    const cls = resolveClass(this, name);
    const blockName = cls === this ? name : (splitReference(name)?.[1] ?? name);
    assertValidBlockName(blockName);
    const store = await storeFor(options);
    return store.deleteDocument(cls.type.slug, blockName);
  }

  /**
   * Whether a block is saved under `name` (on the base class: `"slug/name"`). Reads only the
   * store's listing; nothing is decrypted.
   *
   * @throws {InvalidBlockNameError} for a name that breaks the rule
   * @throws {BlockTypeNotFoundError} on the base class, for an unknown slug
   */
  static async exists(this: BlockClass | typeof Block, name: string, options: { store?: BlockStore } = {}): Promise<boolean> {
    const cls = resolveClass(this, name);
    const blockName = cls === this ? name : (splitReference(name)?.[1] ?? name);
    assertValidBlockName(blockName);
    const store = await storeFor(options);
    return (await store.listDocuments(cls.type.slug)).some((document) => document.name === blockName);
  }

  /**
   * Describes a saved block: its type, when it was created and updated, its data with
   * secrets masked, and the loaded block itself. `validate: false` describes a block that
   * no longer matches its schema.
   *
   * @example
   * const { type, updatedAt, data } = await Block.describe("sql-connector/warehouse");
   *
   * @throws {BlockNotFoundError} naming the type, the name and the store
   */
  static async describe<T extends Block>(
    this: BlockClass<T> | typeof Block,
    name: string,
    options: LoadOptions = {},
  ): Promise<BlockDescription<T>> {
    const cls = resolveClass(this, name);
    const blockName = cls === this ? name : (splitReference(name)?.[1] ?? name);
    assertValidBlockName(blockName);
    const store = await storeFor(options);
    const info = (await store.listDocuments(cls.type.slug)).find((document) => document.name === blockName);
    if (!info) throw new BlockNotFoundError(cls.type.name, blockName, store.location);
    const block = (await Block.load.call(cls, blockName, { ...options, store })) as T;
    return {
      reference: `${cls.type.slug}/${blockName}`,
      name: blockName,
      type: typeRecord(cls.type),
      schemaVersion: info.schemaVersion,
      createdAt: info.createdAt,
      updatedAt: info.updatedAt,
      storeLocation: store.location,
      data: maskBlockData(block.toBlockData()),
      block,
    };
  }

  /**
   * The block types known here and in the store: the registered ones, and those recorded
   * by saved blocks whose class is not loaded in this process.
   */
  static async listTypes(options: { store?: BlockStore } = {}): Promise<BlockTypeRecord[]> {
    const store = await storeFor(options);
    const bySlug = new Map<string, BlockTypeRecord>();
    for (const stored of await store.listTypes()) bySlug.set(stored.slug, stored);
    for (const cls of blockClasses.values()) bySlug.set(cls.type.slug, typeRecord(cls.type));
    return [...bySlug.values()].sort((a, b) => a.slug.localeCompare(b.slug));
  }

  /** Lists saved blocks: of this type, or of every type on the base class. */
  static async list(this: BlockClass | typeof Block, options: { store?: BlockStore } = {}) {
    const store = await storeFor(options);
    return store.listDocuments("type" in this ? (this as BlockClass).type.slug : undefined);
  }
}

function resolveClass(target: BlockClass | typeof Block, name: string): BlockClass {
  if ("type" in target && (target as BlockClass).type) return target as BlockClass;
  const reference = splitReference(name);
  if (!reference) {
    throw new BlockTypeNotFoundError(name, [...blockClasses.keys()].map((slug) => `${slug}/<name>`));
  }
  const cls = blockClasses.get(reference[0]);
  if (!cls) throw new BlockTypeNotFoundError(reference[0], [...blockClasses.keys()]);
  return cls;
}
