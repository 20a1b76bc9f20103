import { isIPv6 } from "node:net";
import { resolveDriver } from "../driver/drivers.js";
import { InvalidUrlError } from "../errors.js";
import { isSecret, type Secret } from "../secret/secret.js";
import type { ConnectionComponents } from "./components.js";
import {
  buildComponents,
  FieldProblem,
  hideValue,
  type Show,
  setQueryParameter,
  showValue,
  validHost,
  validPort,
} from "./fields.js";

/**
 * `dialect` or `dialect+driver`, then `://`. Python driver names contain `_` (`cx_oracle`),
 * which WHATWG `URL` rejects in a scheme — one reason this parser splits the URL itself.
 * The others: `URL` silently drops tabs and newlines, and reports every mistake as a bare
 * "Invalid URL", where users need to hear which part is wrong (without seeing the password).
 */
const SCHEME = /^([A-Za-z][A-Za-z0-9+.\-_]*):\/\//;

const EXAMPLE = '"postgresql+pg://user:password@localhost:5432/database"';

/**
 * Parses a connection URL `dialect+driver://user:password@host:port/database?k=v&k2=v2`.
 *
 * - The scheme may be any alias {@link resolveDriver} accepts, so SQLAlchemy URLs work as
 *   they are: `postgresql+psycopg2://`, `mysql+pymysql://`, `mssql+pyodbc://`, `oracle+cx_oracle://`.
 * - Username, password, database and query are percent-decoded exactly (`%40` is `@`,
 *   `%2F` is `/`); `+` is a plus sign, not a space. The password becomes a {@link Secret}:
 *   `user:@host` is an empty password, `user@host` is none.
 * - An IPv6 host is written in brackets, `[::1]:5432`, and returned without them.
 * - SQLite: `sqlite+better-sqlite3:///relative.db` → `"relative.db"`,
 *   `…:////abs/path.db` → `"/abs/path.db"`, `…:///:memory:` and `sqlite://` → `":memory:"`.
 * - A query key given more than once keeps its last value.
 * - A URL given as a {@link Secret} is revealed only to be parsed.
 *
 * Special characters in a password (`@ : / ? # %` and spaces) should be percent-encoded, as
 * {@link renderConnectionUrl} does. A bare `@` or `:` in the password still parses (the last
 * `@` before the host ends the password), but `/`, `?` or `#` would end it early, so that is
 * reported as an error rather than guessed.
 *
 * @example
 * const c = parseConnectionUrl("postgresql+psycopg2://app:p%40ss@db.internal:5432/shop?sslmode=require");
 * c.driver;            // Driver.POSTGRESQL_PG
 * c.password?.reveal(); // "p@ss"
 * c.query;             // { sslmode: "require" }
 *
 * @throws {InvalidUrlError} naming what is wrong; the message never contains the password
 * @throws {UnknownDriverError} when the scheme is not a known driver, listing the valid ones
 */
export function parseConnectionUrl(url: string | Secret): ConnectionComponents {
  let text: string;
  if (typeof url === "string") text = url;
  else if (isSecret(url)) text = url.reveal();
  else throw new InvalidUrlError(`expected a string like ${EXAMPLE}`);
  try {
    return parseText(text.trim());
  } catch (error) {
    if (error instanceof FieldProblem) throw new InvalidUrlError(error.reason);
    throw error;
  }
}

function parseText(text: string): ConnectionComponents {
  const scheme = SCHEME.exec(text);
  if (!scheme) {
    throw new FieldProblem(
      text.includes("://")
        ? `the scheme before "://" must be a driver name like "postgresql+pg" or "postgresql"`
        : `it must start with "dialect+driver://", e.g. ${EXAMPLE}`,
    );
  }
  const driver = resolveDriver(scheme[1]!);
  const rest = text.slice(scheme[0].length);

  // Everything up to the last "@" may belong to a password, so values found there are never
  // repeated in a message.
  const visibleFrom = rest.lastIndexOf("@") + 1;
  const showAt = (offset: number): Show => (offset >= visibleFrom ? showValue : hideValue);

  const authorityEnd = rest.search(/[/?#]/) === -1 ? rest.length : rest.search(/[/?#]/);
  const authority = rest.slice(0, authorityEnd);
  const afterAuthority = rest.slice(authorityEnd);
  const userinfoEnd = authority.lastIndexOf("@");
  if (userinfoEnd === -1 && authority !== "" && visibleFrom > authorityEnd) {
    throw new FieldProblem(
      `"@" appears after the host: if it ends a username and password, percent-encode "/", "?" and "#" ` +
        `in the password (%2F, %3F, %23); if it belongs to the database or a query value, write it as %40`,
    );
  }
  if (afterAuthority.includes("#")) {
    throw new FieldProblem(`it must not contain "#" (a URL fragment): percent-encode "#" as %23`);
  }

  let username: string | undefined;
  let password: string | undefined;
  if (userinfoEnd !== -1) {
    const userinfo = authority.slice(0, userinfoEnd);
    const colon = userinfo.indexOf(":");
    username = decode(colon === -1 ? userinfo : userinfo.slice(0, colon), "the username");
    if (colon !== -1) password = decode(userinfo.slice(colon + 1), "the password");
  }

  const hostStart = userinfoEnd + 1;
  const { host, port } = parseHostAndPort(authority.slice(hostStart), hostStart, showAt);

  const queryStart = afterAuthority.indexOf("?");
  const path = queryStart === -1 ? afterAuthority : afterAuthority.slice(0, queryStart);
  const database = path === "" ? undefined : decode(path.slice(1), "the database");
  const query =
    queryStart === -1
      ? undefined
      : parseQuery(afterAuthority.slice(queryStart + 1), showAt(authorityEnd + queryStart + 1));

  return buildComponents({ driver, database, username, password, host, port, query });
}

function parseHostAndPort(
  hostAndPort: string,
  offset: number,
  showAt: (offset: number) => Show,
): { host: string | undefined; port: number | undefined } {
  let host: string;
  let portText: string | undefined;
  let portOffset: number;
  if (hostAndPort.startsWith("[")) {
    const close = hostAndPort.indexOf("]");
    if (close === -1) throw new FieldProblem(`the IPv6 host has no closing "]", e.g. [::1]:5432`);
    host = decode(hostAndPort.slice(1, close), "the IPv6 host");
    if (!isIPv6(host)) {
      throw new FieldProblem(`host${showAt(offset)(hostAndPort.slice(0, close + 1))} is not a valid IPv6 address`);
    }
    const after = hostAndPort.slice(close + 1);
    if (after !== "" && !after.startsWith(":")) {
      throw new FieldProblem(`after the IPv6 host "]" only ":port" may follow`);
    }
    portText = after === "" ? undefined : after.slice(1);
    portOffset = offset + close + 2;
  } else {
    const colon = hostAndPort.indexOf(":");
    host = colon === -1 ? hostAndPort : hostAndPort.slice(0, colon);
    portText = colon === -1 ? undefined : hostAndPort.slice(colon + 1);
    portOffset = offset + colon + 1;
    if (portText?.includes(":")) {
      throw new FieldProblem(`the host has more than one ":": write an IPv6 host in brackets, e.g. [::1]:5432`);
    }
  }
  return {
    host: validHost(host, showAt(offset)),
    port: portText === undefined ? undefined : validPort(portText, showAt(portOffset)),
  };
}

/** `k=v&k2=v2`; a key without `=` has the value `""`; a repeated key keeps its last value. */
function parseQuery(text: string, show: Show): Record<string, string> {
  const query: Record<string, string> = {};
  for (const pair of text.split("&")) {
    if (pair === "") continue;
    const equals = pair.indexOf("=");
    const key = decode(equals === -1 ? pair : pair.slice(0, equals), "a query parameter name");
    const value = equals === -1 ? "" : decode(pair.slice(equals + 1), `query parameter${show(key)}`);
    setQueryParameter(query, key, value);
  }
  return query;
}

/** Exact percent-decoding; the value itself is never put in the message. */
function decode(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new FieldProblem(`${what} is not correctly percent-encoded: write "%" itself as %25`);
  }
}
