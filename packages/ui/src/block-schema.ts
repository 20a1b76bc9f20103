import { type BlockClass, blockTypeJsonSchema } from "@sqlblocks/core";

/** The subset of JSON Schema the page's forms are generated from. */
export interface FieldSchema {
  type?: string | undefined;
  description?: string | undefined;
  title?: string | undefined;
  default?: unknown;
  minimum?: number | undefined;
  maximum?: number | undefined;
  exclusiveMinimum?: number | undefined;
  minLength?: number | undefined;
  format?: string | undefined;
  writeOnly?: boolean | undefined;
  enum?: unknown[] | undefined;
  examples?: unknown[] | undefined;
  properties?: Record<string, FieldSchema> | undefined;
  required?: string[] | undefined;
  additionalProperties?: FieldSchema | boolean | undefined;
  anyOf?: FieldSchema[] | undefined;
}

/** A block type as the page shows it: names, documentation and the form schema. */
export interface BlockTypeView {
  slug: string;
  name: string;
  description: string;
  documentationUrl: string | undefined;
  schemaVersion: number;
  /** Dotted paths of secret fields (shown as `********`, typed into password inputs). */
  secretFields: readonly string[];
  /** JSON Schema of the block's data, with a description on every field. */
  schema: FieldSchema;
}

function decorate(schema: FieldSchema, path: string, secrets: ReadonlySet<string>): FieldSchema {
  const out: FieldSchema = { ...schema };
  if (path !== "" && secrets.has(path)) {
    out.type = "string";
    out.writeOnly = true;
    // A URL secret is edited as text showing its masked form (`app:********@db`); other
    // secrets are password inputs that stay empty.
    if (path.endsWith(".url")) delete out.format;
    else out.format = "password";
  }
  if (out.properties) {
    out.properties = Object.fromEntries(
      Object.entries(out.properties).map(([key, child]) => [
        key,
        decorate(child, path === "" ? key : `${path}.${key}`, secrets),
      ]),
    );
  }
  if (out.anyOf) out.anyOf = out.anyOf.map((variant) => decorate(variant, path, secrets));
  return out;
}

/**
 * The form schema of a block type: core's JSON Schema of its data (every field with its
 * description, secrets write-only), with URL secrets edited as text that shows the masked URL.
 */
export function describeBlockType(cls: BlockClass): BlockTypeView {
  const type = cls.type;
  const { $schema: _schema, $id: _id, title: _title, ...schema } = blockTypeJsonSchema(cls) as FieldSchema & Record<string, unknown>;
  return {
    slug: type.slug,
    name: type.name,
    description: type.description,
    documentationUrl: type.documentationUrl,
    schemaVersion: type.schemaVersion,
    secretFields: type.secretFields,
    schema: decorate(schema, "", new Set(type.secretFields)),
  };
}
