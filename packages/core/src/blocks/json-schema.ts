import { BlockTypeNotFoundError } from "../errors.js";
import { type BlockClass, type BlockTypeDefinition, registeredBlockTypes } from "./block.js";
import { zod } from "./zod.js";

/** A JSON Schema document (draft 2020-12), as plain JSON. */
export type JsonSchema = { [key: string]: unknown };

/** The JSON Schema keyword that marks a secret field (also `writeOnly: true` and `format: "password"`). */
export const SECRET_KEYWORD = "x-sqlblocks-secret";

function definitionOf(type: BlockTypeDefinition | BlockClass | string): BlockTypeDefinition {
  if (typeof type !== "string") return "schema" in type ? type : type.type;
  const found = registeredBlockTypes().find((cls) => cls.type.slug === type);
  if (!found) throw new BlockTypeNotFoundError(type, registeredBlockTypes().map((cls) => cls.type.slug));
  return found.type;
}

function isObject(value: unknown): value is JsonSchema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Marks every node whose dotted property path (union branches are not part of it) is a secret field. */
function markSecrets(node: JsonSchema, path: string, secrets: ReadonlySet<string>): void {
  if (path && secrets.has(path)) {
    Object.assign(node, { type: "string", format: "password", writeOnly: true, [SECRET_KEYWORD]: true });
  }
  for (const keyword of ["anyOf", "oneOf", "allOf"]) {
    const branches = node[keyword];
    if (Array.isArray(branches)) for (const branch of branches) if (isObject(branch)) markSecrets(branch, path, secrets);
  }
  const properties = node.properties;
  if (isObject(properties)) {
    for (const [name, child] of Object.entries(properties)) {
      if (isObject(child)) markSecrets(child, path ? `${path}.${name}` : name, secrets);
    }
  }
}

/**
 * A block type's data schema as JSON Schema (draft 2020-12), with the description of every
 * field, for generating forms and documentation. The schema describes what a caller may
 * enter (fields with defaults are not required). Secret fields (the type's `secretFields`)
 * are strings marked `writeOnly`, `format: "password"` and `"x-sqlblocks-secret": true`:
 * a form must never prefill them.
 *
 * @example
 * import { blockTypeJsonSchema } from "@sqlblocks/core";
 * const schema = blockTypeJsonSchema("sql-connector");
 * schema.properties.fetchSize.description; // "Rows fetchMany returns when no size is given (default 1, as in Python)."
 *
 * @throws {BlockTypeNotFoundError} for a slug no registered block type has
 */
export function blockTypeJsonSchema(type: BlockTypeDefinition | BlockClass | string): JsonSchema & { properties: Record<string, JsonSchema> } {
  const definition = definitionOf(type);
  const generated = zod().z.toJSONSchema(definition.schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  markSecrets(generated, "", new Set(definition.secretFields));
  return {
    ...generated,
    $id: `sqlblocks:block-type/${definition.slug}`,
    title: definition.name,
    description: definition.description,
    "x-sqlblocks-slug": definition.slug,
    "x-sqlblocks-schema-version": definition.schemaVersion,
    properties: isObject(generated.properties) ? (generated.properties as Record<string, JsonSchema>) : {},
  };
}
