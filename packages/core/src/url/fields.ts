import { isIPv6 } from "node:net";
import { Driver, resolveDriver } from "../driver/drivers.js";
import { isSecret, Secret } from "../secret/secret.js";
import type { ConnectionComponents } from "./components.js";

/**
 * One connection field is wrong. Internal: {@link parseConnectionUrl} and
 * {@link normalizeComponents} turn it into `InvalidUrlError` / `InvalidConnectionInfoError`,
 * so the reason is written to fit after either prefix.
 *
 * @internal
 */
export class FieldProblem extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "FieldProblem";
  }
}

/**
 * How a field's value appears in a problem description: ` "value"`, or `""` when the value
 * may be part of a password and must not be shown.
 *
 * @internal
 */
export type Show = (value: string) => string;

/** Shows the value, quoted. @internal */
export const showValue: Show = (value) => ` ${JSON.stringify(value)}`;

/** Hides the value. @internal */
export const hideValue: Show = () => "";

/** The fields of `ConnectionComponents`, in the order they are written out. */
const FIELDS = ["driver", "database", "username", "password", "host", "port", "query"] as const;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Checks an optional text field. `undefined`, `null` and `""` mean "not set".
 *
 * @internal
 */
export function optionalText(field: string, value: unknown): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") throw new FieldProblem(`${field} must be a string`);
  // Drivers and file systems cut text at a NUL: "a\0b.db" would quietly open "a".
  if (value.includes("\0")) throw new FieldProblem(`${field} must not contain a NUL character`);
  if (LONE_SURROGATE.test(value)) {
    throw new FieldProblem(`${field} is not valid Unicode text (it contains an unpaired surrogate)`);
  }
  return value;
}

/**
 * Checks a password: a string or a {@link Secret}; `""` is a real (empty) password.
 * The value is never part of a problem description.
 *
 * @internal
 */
export function passwordSecret(value: unknown): Secret | undefined {
  if (value === undefined || value === null) return undefined;
  if (isSecret(value)) {
    passwordSecret(value.reveal());
    return value;
  }
  if (typeof value !== "string") throw new FieldProblem("password must be a string or a Secret");
  if (value.includes("\0")) throw new FieldProblem("password must not contain a NUL character");
  if (LONE_SURROGATE.test(value)) {
    throw new FieldProblem("password is not valid Unicode text (it contains an unpaired surrogate)");
  }
  return new Secret(value);
}

/**
 * Checks a port: an integer 1..65535, or a string of digits. `""` means "not set".
 *
 * @internal
 */
export function validPort(value: unknown, show: Show = showValue): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") {
    const digits = value.trim();
    if (digits === "") return undefined;
    if (!/^[0-9]+$/.test(digits)) throw new FieldProblem(`port${show(value)} is not a number`);
    return inPortRange(Number(digits), show(digits));
  }
  if (typeof value !== "number") throw new FieldProblem("port must be a number or a string of digits");
  if (!Number.isFinite(value)) throw new FieldProblem(`port${show(String(value))} is not a number`);
  if (!Number.isInteger(value)) throw new FieldProblem(`port${show(String(value))} is not a whole number`);
  return inPortRange(value, show(String(value)));
}

function inPortRange(port: number, shown: string): number {
  if (port < 1 || port > 65535) throw new FieldProblem(`port${shown} is out of range: use 1 to 65535`);
  return port;
}

/**
 * Checks a host name or address. An IPv6 address may come with or without brackets and is
 * kept without them (`"::1"`); anything else must not contain whitespace or URL delimiters.
 *
 * @internal
 */
export function validHost(value: unknown, show: Show = showValue): string | undefined {
  const host = optionalText("host", value);
  if (host === undefined) return undefined;
  if (host.startsWith("[") && host.endsWith("]")) {
    const address = host.slice(1, -1);
    if (!isIPv6(address)) throw new FieldProblem(`host${show(host)} is not a valid IPv6 address`);
    return address;
  }
  if (host.includes(":")) {
    if (isIPv6(host)) return host;
    throw new FieldProblem(
      `host${show(host)} must not contain ":": give the port separately, or write an IPv6 address like "::1"`,
    );
  }
  if (/\s/.test(host)) throw new FieldProblem(`host${show(host)} must not contain spaces`);
  if (/[/\\]/.test(host)) {
    throw new FieldProblem(
      `host${show(host)} must not contain "/" or "\\": for a Unix socket directory, ` +
        `pass it as a query parameter instead (?host=/var/run/postgresql)`,
    );
  }
  const delimiter = /[?#@[\]%\u0000-\u001f\u007f]/.exec(host);
  if (delimiter) throw new FieldProblem(`host${show(host)} must not contain ${JSON.stringify(delimiter[0])}`);
  return host;
}

/**
 * Checks query parameters: a plain object whose values are strings. An empty object means
 * "no parameters". Values are never part of a problem description (they may hold secrets).
 *
 * @internal
 */
export function validQuery(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new FieldProblem("query must be an object of string values, e.g. { sslmode: \"require\" }");
  }
  const query: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (LONE_SURROGATE.test(key)) throw new FieldProblem("a query parameter name is not valid Unicode text");
    if (typeof item !== "string") {
      throw new FieldProblem(`query parameter ${JSON.stringify(key)} must be a string, not ${typeof item}`);
    }
    if (LONE_SURROGATE.test(item)) throw new FieldProblem("a query parameter value is not valid Unicode text");
    setQueryParameter(query, key, item);
  }
  return Object.keys(query).length === 0 ? undefined : query;
}

/**
 * Sets one query parameter, replacing an earlier value. Uses `defineProperty` so that a
 * parameter named `__proto__` is stored as data rather than changing the prototype.
 *
 * @internal
 */
export function setQueryParameter(query: Record<string, string>, key: string, value: string): void {
  Object.defineProperty(query, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Validates and normalises components from any source, throwing {@link FieldProblem}
 * (or `UnknownDriverError` for the driver). Empty strings mean "not set", except for the
 * password; a SQLite database that is not set is `":memory:"`, as in SQLAlchemy.
 *
 * @internal
 */
export function buildComponents(input: unknown): ConnectionComponents {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new FieldProblem("connection components must be an object like { driver, host, port, database }");
  }
  const fields = input as Record<string, unknown>;
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined && !(FIELDS as readonly string[]).includes(key)) {
      throw new FieldProblem(`unknown field ${JSON.stringify(key)}: use ${FIELDS.join(", ")}`);
    }
  }
  if (fields["driver"] === undefined || fields["driver"] === null || fields["driver"] === "") {
    throw new FieldProblem('driver is required, e.g. "postgresql+pg"');
  }
  if (typeof fields["driver"] !== "string") throw new FieldProblem("driver must be a string");
  const driver = resolveDriver(fields["driver"]);

  let database = optionalText("database", fields["database"]);
  if (driver === Driver.SQLITE_BETTER_SQLITE3 && database === undefined) database = ":memory:";
  const username = optionalText("username", fields["username"]);
  const password = passwordSecret(fields["password"]);
  const host = validHost(fields["host"]);
  const port = validPort(fields["port"]);
  const query = validQuery(fields["query"]);

  const components: ConnectionComponents = { driver };
  if (database !== undefined) components.database = database;
  if (username !== undefined) components.username = username;
  if (password !== undefined) components.password = password;
  if (host !== undefined) components.host = host;
  if (port !== undefined) components.port = port;
  if (query !== undefined) components.query = query;
  return components;
}
