import * as core from "@sqlblocks/core";
import type { BlockClass } from "@sqlblocks/core";
import { z } from "zod";

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

/**
 * Field descriptions used where the block type's own schema has none. Core's schema will
 * carry descriptions itself; each one it gives replaces the one here.
 */
const FALLBACK_DESCRIPTIONS: Record<string, Record<string, string>> = {
  "sql-connector": {
    connectionInfo: "How to reach the database: a URL such as postgresql+pg://app@db:5432/shop, or its components.",
    "connectionInfo.url":
      "Connection URL dialect+driver://user:password@host:port/database?option=value (a Python SQLAlchemy URL works too). The whole URL is kept as a secret.",
    "connectionInfo.driver":
      "Driver as dialect+driver: postgresql+pg, mysql+mysql2, mariadb+mysql2, sqlite+better-sqlite3, mssql+tedious or oracle+oracledb (Python aliases such as postgresql+psycopg2 work too).",
    "connectionInfo.database": "Database name; for SQLite the file path (or :memory:).",
    "connectionInfo.username": "User to log in as.",
    "connectionInfo.password": "Password of that user; stored encrypted and never shown again.",
    "connectionInfo.host": "Server host name or address.",
    "connectionInfo.port": "Server port (the driver's default when empty).",
    "connectionInfo.query": "Extra driver options as in a URL query string, e.g. {\"sslmode\": \"require\"}.",
    connectArgs: "Free-form native driver options, merged last (like Prefect's connect_args), as JSON.",
    fetchSize: "Rows fetchMany returns when no size is given (default 1, as in Python).",
    ssl: "TLS: true to require it with default settings, or the certificate settings below.",
    "ssl.ca": "PEM text of the certificate authority to trust.",
    "ssl.cert": "PEM text of the client certificate.",
    "ssl.key": "PEM text of the client private key; stored encrypted.",
    "ssl.rejectUnauthorized": "Refuse servers whose certificate does not verify (default true).",
    pool: "Connection pool limits.",
    "pool.max": "Most connections open at once.",
    "pool.min": "Connections kept open when idle.",
    "pool.idleTimeoutMs": "Close an idle connection after this many milliseconds.",
    "pool.acquireTimeoutMs": "Give up waiting for a free connection after this many milliseconds.",
    connectTimeoutMs: "Give up connecting after this many milliseconds.",
    maxOpenCursors: "How many fetch cursors may be open at once (default 8; each holds a connection).",
  },
};

function decorate(schema: FieldSchema, path: string, secrets: ReadonlySet<string>, descriptions: Record<string, string>): FieldSchema {
  const out: FieldSchema = { ...schema };
  if (path !== "" && secrets.has(path)) {
    out.type = "string";
    out.writeOnly = true;
    // A URL secret is edited as text showing its masked form (`app:********@db`); other
    // secrets are password inputs that stay empty.
    if (path.endsWith(".url")) delete out.format;
    else out.format = "password";
  }
  if (path !== "" && out.description === undefined && descriptions[path] !== undefined) out.description = descriptions[path];
  if (out.properties) {
    out.properties = Object.fromEntries(
      Object.entries(out.properties).map(([key, child]) => [
        key,
        decorate(child, path === "" ? key : `${path}.${key}`, secrets, descriptions),
      ]),
    );
  }
  if (out.anyOf) out.anyOf = out.anyOf.map((variant) => decorate(variant, path, secrets, descriptions));
  return out;
}

type CoreJsonSchema = (type: BlockClass["type"]) => Record<string, unknown>;

/**
 * The JSON Schema of a block type's data: core's own `blockTypeJsonSchema` (with its field
 * descriptions) where this core has it, else derived here from the type's zod schema.
 */
function jsonSchemaOf(cls: BlockClass): FieldSchema {
  const fromCore = (core as unknown as { blockTypeJsonSchema?: CoreJsonSchema }).blockTypeJsonSchema;
  const raw = (
    typeof fromCore === "function" ? fromCore(cls.type) : z.toJSONSchema(cls.type.schema, { unrepresentable: "any", io: "input" })
  ) as FieldSchema & Record<string, unknown>;
  const { $schema: _schema, $id: _id, title: _title, ...schema } = raw;
  return schema;
}

/**
 * The form schema of a block type: the JSON Schema of its data schema (what core exposes),
 * secret fields marked write-only, every field with a description.
 */
export function describeBlockType(cls: BlockClass): BlockTypeView {
  const type = cls.type;
  const schema = jsonSchemaOf(cls);
  return {
    slug: type.slug,
    name: type.name,
    description: type.description,
    documentationUrl: type.documentationUrl,
    schemaVersion: type.schemaVersion,
    secretFields: type.secretFields,
    schema: decorate(schema, "", new Set(type.secretFields), FALLBACK_DESCRIPTIONS[type.slug] ?? {}),
  };
}
