import { describe, expect, it } from "vitest";
import { z } from "zod";
import { blockTypeJsonSchema, type JsonSchema, SECRET_KEYWORD } from "../src/blocks/json-schema.js";
import { SqlConnector } from "../src/connector/sql-connector.js";
import { BlockTypeNotFoundError } from "../src/errors.js";

/** Every property (at any depth, in every union branch) with its dotted path. */
function properties(node: JsonSchema, path = ""): [string, JsonSchema][] {
  const found: [string, JsonSchema][] = [];
  for (const keyword of ["anyOf", "oneOf"]) {
    const branches = node[keyword];
    if (Array.isArray(branches)) for (const branch of branches) found.push(...properties(branch as JsonSchema, path));
  }
  const props = node.properties as Record<string, JsonSchema> | undefined;
  for (const [name, child] of Object.entries(props ?? {})) {
    const childPath = path ? `${path}.${name}` : name;
    found.push([childPath, child], ...properties(child, childPath));
  }
  return found;
}

describe("blockTypeJsonSchema", () => {
  const schema = blockTypeJsonSchema("sql-connector");

  it("describes the SQL Connector type and every one of its fields, ssl, pool and connectTimeoutMs included", () => {
    expect(schema).toMatchObject({
      $schema: "https://json-schema.org/draft/2020-12/schema",
      title: "SQL Connector",
      type: "object",
      "x-sqlblocks-slug": "sql-connector",
      "x-sqlblocks-schema-version": 1,
    });
    expect(Object.keys(schema.properties).sort()).toEqual([...SqlConnector.type.fields].sort());
    const all = properties(schema);
    expect(all.length).toBeGreaterThanOrEqual(20);
    for (const [path, node] of all) {
      expect(typeof node.description, `${path} has a description`).toBe("string");
      expect((node.description as string).length, path).toBeGreaterThan(10);
    }
    for (const path of ["ssl", "ssl.key", "ssl.ca", "pool", "pool.max", "pool.acquireTimeoutMs", "connectTimeoutMs", "connectionInfo.password"]) {
      expect(all.some(([p]) => p === path), path).toBe(true);
    }
    expect(schema.properties.fetchSize).toMatchObject({ type: "integer", default: 1 });
    expect(schema.required).toEqual(["connectionInfo"]);
  });

  it("marks exactly the type's secret fields as write-only password strings", () => {
    const secret = properties(schema).filter(([, node]) => node[SECRET_KEYWORD] === true);
    expect(secret.map(([path]) => path).sort()).toEqual([...SqlConnector.type.secretFields].sort());
    for (const [, node] of secret) expect(node).toMatchObject({ type: "string", format: "password", writeOnly: true });
  });

  it("accepts the class or its definition, and names the known slugs for an unknown one", () => {
    expect(blockTypeJsonSchema(SqlConnector)).toEqual(schema);
    expect(blockTypeJsonSchema(SqlConnector.type)).toEqual(schema);
    expect(() => blockTypeJsonSchema("no-such-type")).toThrow(BlockTypeNotFoundError);
    expect(() => blockTypeJsonSchema("no-such-type")).toThrow(/sql-connector/);
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });
});

describe("blockTypeJsonSchema of an application's block type", () => {
  it("reads a schema made with the application's own zod import, descriptions and secrets included", () => {
    // Core loads zod lazily (its CommonJS build); a type defined with the application's ES
    // module import of zod must still convert, descriptions kept.
    const definition = {
      name: "Webhook",
      slug: "webhook",
      description: "Posts to a URL.",
      schemaVersion: 1,
      schema: z
        .object({
          url: z.string().describe("Where to post."),
          token: z.string().optional().describe("The bearer token."),
          retries: z.number().int().min(0).default(3).describe("Attempts after the first."),
        })
        .describe("A webhook."),
      fields: ["url", "token", "retries"],
      secretFields: ["token"],
    };
    const schema = blockTypeJsonSchema(definition);
    expect(schema.title).toBe("Webhook");
    expect(schema.required).toEqual(["url"]);
    expect(schema.properties.url).toMatchObject({ type: "string", description: "Where to post." });
    expect(schema.properties.retries).toMatchObject({ type: "integer", minimum: 0, default: 3, description: "Attempts after the first." });
    expect(schema.properties.token).toMatchObject({ writeOnly: true, [SECRET_KEYWORD]: true, description: "The bearer token." });
  });
});
