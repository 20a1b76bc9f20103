import { isSecret } from "../secret/secret.js";

type Fields = Readonly<Record<string, (value: unknown) => boolean>>;

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};
const isString = (value: unknown) => typeof value === "string";
const isNonEmptyString = (value: unknown) => typeof value === "string" && value.length > 0;
const isBoolean = (value: unknown) => typeof value === "boolean";
const isPositiveInt = (value: unknown) => Number.isSafeInteger(value) && (value as number) > 0;
const isNonNegativeInt = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;
const isPort = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 1 && (value as number) <= 65535;

/** An object holding only `fields` (each absent, undefined, or passing its check), and every one of `required`. */
function shape(value: unknown, fields: Fields, required: readonly string[] = []): boolean {
  if (!isPlainObject(value)) return false;
  for (const key of required) if (value[key] === undefined) return false;
  for (const key of Object.keys(value)) {
    // Own keys only: "valueOf" or "constructor" in a document is a key the schema strips.
    const check = Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (check === undefined) return false;
    if (value[key] !== undefined && !check(value[key])) return false;
  }
  return true;
}

const COMPONENTS: Fields = {
  driver: isNonEmptyString,
  database: isString,
  username: isString,
  password: isSecret,
  host: isString,
  port: isPort,
  query: (value) => isPlainObject(value) && Object.values(value).every(isString),
};
const URL_INFO: Fields = { url: isSecret };
const SSL: Fields = { ca: isString, cert: isString, key: isSecret, rejectUnauthorized: isBoolean };
const POOL: Fields = { max: isPositiveInt, min: isNonNegativeInt, idleTimeoutMs: isPositiveInt, acquireTimeoutMs: isPositiveInt };

const CONNECTOR: Fields = {
  connectionInfo: (value) => shape(value, COMPONENTS, ["driver"]) || shape(value, URL_INFO, ["url"]),
  connectArgs: isPlainObject,
  fetchSize: isPositiveInt,
  ssl: (value) => isBoolean(value) || shape(value, SSL),
  pool: (value) => shape(value, POOL),
  connectTimeoutMs: isPositiveInt,
  passwordFrom: (value) => shape(value, { provider: isNonEmptyString }, ["provider"]) || shape(value, { env: isNonEmptyString }, ["env"]),
  maxOpenCursors: isPositiveInt,
};

/**
 * Whether SQL Connector data is certainly valid and already in the schema's output form:
 * every field of the right type and range, no key the schema would strip, `fetchSize` (the one
 * field with a default) present. True lets `Block.load` and the constructor skip the zod schema
 * (and loading zod at all) for a good document; false says nothing, and the schema then
 * decides and names the bad fields. It must never be true for data the schema refuses:
 * `test/quick-check.property.test.ts` checks that against the schema.
 */
export function isCheckedConnectorData(data: unknown): boolean {
  return shape(data, CONNECTOR, ["connectionInfo", "fetchSize"]);
}
