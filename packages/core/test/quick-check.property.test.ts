import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isCheckedConnectorData } from "../src/connector/quick-check.js";
import { SqlConnector } from "../src/connector/sql-connector.js";
import { Secret } from "../src/secret/secret.js";

/** Set SQLBLOCKS_FUZZ_RUNS=10000 (or more) for a long run. */
const RUNS = Number(process.env.SQLBLOCKS_FUZZ_RUNS ?? 1000) || 1000;

const secret = fc.string().map((text) => new Secret(text));
const junk = fc.oneof(fc.anything(), fc.constant(undefined), fc.constant(null), fc.constant(0), fc.constant(-1), fc.constant(1.5), fc.constant(""));
/** A value for a field: usually a good one, sometimes anything at all. */
const maybe = <T>(good: fc.Arbitrary<T>) => fc.oneof({ arbitrary: good, weight: 4 }, { arbitrary: junk, weight: 1 });
const positive = fc.oneof(fc.integer({ min: 1, max: 1_000_000 }), fc.constant(Number.MAX_SAFE_INTEGER));

/** A key the schema does not know: any string, often one every object inherits. */
const extraKey = fc.oneof(fc.string(), fc.constantFrom("valueOf", "toString", "constructor", "hasOwnProperty", "__proto__"));

/** Objects made of some of `fields` (good or bad values), sometimes with a key the schema does not know. */
function record(fields: Record<string, fc.Arbitrary<unknown>>, good: boolean): fc.Arbitrary<Record<string, unknown>> {
  const values = good ? fields : Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, maybe(value)]));
  const base = fc.record(values, { requiredKeys: [] });
  return good ? base : fc.tuple(base, fc.option(fc.tuple(extraKey, fc.anything()))).map(([value, extra]) => (extra ? { ...value, [extra[0]]: extra[1] } : value));
}

const COMPONENTS = {
  database: fc.string(),
  username: fc.string(),
  password: secret,
  host: fc.string(),
  port: fc.integer({ min: 1, max: 65535 }),
  query: fc.dictionary(fc.string(), fc.string()),
};
const SSL = { ca: fc.string(), cert: fc.string(), key: secret, rejectUnauthorized: fc.boolean() };
const POOL = { max: positive, min: fc.nat(), idleTimeoutMs: positive, acquireTimeoutMs: positive };

function connectorData(good: boolean): fc.Arbitrary<Record<string, unknown>> {
  const driver = good ? fc.string({ minLength: 1 }) : maybe(fc.string({ minLength: 1 }));
  const components = fc.tuple(driver, record(COMPONENTS, good)).map(([d, rest]) => ({ driver: d, ...rest }));
  const url = good ? fc.record({ url: secret }) : record({ url: secret, driver: fc.string() }, false);
  const fields = {
    connectArgs: fc.dictionary(fc.string(), fc.jsonValue()),
    ssl: fc.oneof(fc.boolean(), record(SSL, good)),
    pool: record(POOL, good),
    connectTimeoutMs: positive,
    passwordFrom: fc.oneof(fc.record({ provider: fc.string({ minLength: 1 }) }), fc.record({ env: fc.string({ minLength: 1 }) })),
    maxOpenCursors: positive,
  };
  return fc
    .tuple(fc.oneof(components, url), good ? positive : maybe(positive), record(fields, good))
    .map(([connectionInfo, fetchSize, rest]) => ({ connectionInfo, fetchSize, ...rest }));
}

describe("the quick check of stored SQL Connector data", () => {
  const schema = SqlConnector.type.schema;

  it("never passes data the schema refuses or would change", () => {
    fc.assert(
      fc.property(fc.oneof(connectorData(false), fc.anything()), (data) => {
        if (!isCheckedConnectorData(data)) return;
        const parsed = schema.safeParse(data);
        expect(parsed.success).toBe(true);
        expect(parsed.data).toEqual(data);
      }),
      { numRuns: RUNS },
    );
  });

  it("passes good data, so a good stored document loads without zod", () => {
    fc.assert(
      fc.property(connectorData(true), (data) => {
        expect(schema.safeParse(data).success).toBe(true);
        expect(isCheckedConnectorData(data)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it("sends bad data to the schema", () => {
    const url = { url: new Secret("postgresql+pg://db/app") };
    for (const bad of [
      {},
      { connectionInfo: url },
      { connectionInfo: url, fetchSize: 0 },
      { connectionInfo: url, fetchSize: 1, pool: { max: 0 } },
      { connectionInfo: url, fetchSize: 1, port: 5432 },
      { connectionInfo: { driver: "" }, fetchSize: 1 },
      { connectionInfo: { driver: "postgresql+pg", port: 70000 }, fetchSize: 1 },
      { connectionInfo: { driver: "postgresql+pg", password: "plain" }, fetchSize: 1 },
      { connectionInfo: { ...url, driver: "postgresql+pg" }, fetchSize: 1 },
      { connectionInfo: { driver: "postgresql+pg", valueOf: [] }, fetchSize: 1 },
      JSON.parse('{"connectionInfo": {"driver": "postgresql+pg"}, "fetchSize": 1, "__proto__": {}}'),
      { connectionInfo: url, fetchSize: 1, passwordFrom: { provider: "a", env: "B" } },
      { connectionInfo: url, fetchSize: 1, ssl: { key: "plain" } },
    ]) {
      expect(isCheckedConnectorData(bad), JSON.stringify(bad)).toBe(false);
    }
  });
});
