import { MASK } from "../secret/secret.js";
import type { ConnectionComponents, ConnectionComponentsInput } from "./components.js";
import { normalizeComponents } from "./normalize.js";

/** Options for {@link renderConnectionUrl}. */
export interface RenderConnectionUrlOptions {
  /**
   * Write the real password instead of `********`. Only for handing the URL to a driver;
   * never for logs, errors or output.
   */
  revealPassword?: boolean;
}

/**
 * Writes components as a URL `dialect+driver://user:password@host:port/database?k=v`.
 *
 * The password is written as `********` unless `revealPassword` is set. Every part is
 * percent-encoded, so {@link parseConnectionUrl} gives back exactly the same components.
 * An IPv6 host is written in brackets (`[::1]:5432`). SQLite databases are written after
 * three slashes: `sqlite+better-sqlite3:///relative.db`, `…:////abs/path.db`, `…:///:memory:`.
 * The input is checked with {@link normalizeComponents} first, so aliases are accepted.
 *
 * @example
 * renderConnectionUrl({ driver: "postgres", username: "app", password: "p@ss", host: "db", database: "shop" });
 * // "postgresql+pg://app:********@db/shop"
 * renderConnectionUrl(components, { revealPassword: true });
 * // "postgresql+pg://app:p%40ss@db/shop"
 *
 * @throws {InvalidConnectionInfoError} when a field is invalid
 * @throws {UnknownDriverError} when the driver is not one sqlblocks knows
 */
export function renderConnectionUrl(
  components: ConnectionComponents | ConnectionComponentsInput,
  options: RenderConnectionUrlOptions = {},
): string {
  const { driver, username, password, host, port, database, query } = normalizeComponents(components);
  let url = `${driver}://`;
  if (username !== undefined || password !== undefined) {
    url += encodeURIComponent(username ?? "");
    if (password !== undefined) url += ":" + (options.revealPassword ? encodeURIComponent(password.reveal()) : MASK);
    url += "@";
  }
  if (host !== undefined) url += host.includes(":") ? `[${host.replace("%", "%25")}]` : host;
  if (port !== undefined) url += `:${port}`;
  if (database !== undefined) url += `/${encodeDatabase(database)}`;
  if (query !== undefined) {
    url += "?" + Object.entries(query)
      .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
      .join("&");
  }
  return url;
}

/** Like `encodeURIComponent`, but keeps `/` and `:` readable in paths such as `/abs/path.db` and `:memory:`. */
function encodeDatabase(database: string): string {
  return encodeURIComponent(database).replace(/%2F/g, "/").replace(/%3A/g, ":");
}
