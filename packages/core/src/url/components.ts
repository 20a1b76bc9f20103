import type { Driver } from "../driver/drivers.js";
import type { Secret } from "../secret/secret.js";
import { normalizeComponents } from "./normalize.js";
import { parseConnectionUrl } from "./parse.js";
import { type RenderConnectionUrlOptions, renderConnectionUrl } from "./render.js";

/**
 * The parts of a database connection, as Prefect's `ConnectionComponents`.
 *
 * Renders to and parses from `dialect+driver://user:pass@host:port/database?k=v`.
 */
export interface ConnectionComponents {
  /** The driver, e.g. `Driver.POSTGRESQL_PG`. */
  driver: Driver;
  /** Database name; for SQLite, the file path (or `:memory:`). */
  database?: string | undefined;
  username?: string | undefined;
  /** Always a {@link Secret}: masked wherever it is shown. */
  password?: Secret | undefined;
  host?: string | undefined;
  port?: number | undefined;
  /** Extra URL query parameters, passed to the driver. */
  query?: Record<string, string> | undefined;
}

/**
 * What callers may pass where components are expected: a driver may be any accepted
 * alias (`"postgresql+psycopg2"`), a password may be a plain string.
 */
export interface ConnectionComponentsInput {
  driver: Driver | string;
  database?: string | undefined;
  username?: string | undefined;
  password?: Secret | string | undefined;
  host?: string | undefined;
  port?: number | string | undefined;
  query?: Record<string, string> | undefined;
}

/**
 * The run-time side of {@link ConnectionComponents}, as Python's `ConnectionComponents(...)`
 * model: builds validated components and turns them into a URL and back. Plain objects of
 * the {@link ConnectionComponents} shape keep working wherever components are accepted;
 * this only adds validation up front and the URL round trip.
 *
 * @example
 * import { ConnectionComponents, Driver } from "@sqlblocks/core";
 * const components = ConnectionComponents.create({ driver: Driver.POSTGRESQL_PG, username: "app", password: "p@ss", host: "db", database: "shop" });
 * ConnectionComponents.toUrl(components);                          // "postgresql+pg://app:********@db/shop"
 * ConnectionComponents.toUrl(components, { revealPassword: true }); // "postgresql+pg://app:p%40ss@db/shop"
 * ConnectionComponents.fromUrl("mysql+pymysql://root@127.0.0.1:3306/test").driver; // Driver.MYSQL_MYSQL2
 */
export const ConnectionComponents: {
  /**
   * Checks the input and returns components in their normal form (aliases resolved, the
   * password a {@link Secret}, the port a number), frozen.
   *
   * @throws {InvalidConnectionInfoError} naming the field that is wrong (never the password)
   * @throws {UnknownDriverError} when the driver is not one sqlblocks knows
   */
  create(input: ConnectionComponentsInput): ConnectionComponents;
  /**
   * Parses `dialect+driver://user:password@host:port/database?k=v` (a {@link Secret} URL too).
   *
   * @throws {InvalidUrlError} saying what is wrong, never showing the password
   */
  fromUrl(url: string | Secret): ConnectionComponents;
  /**
   * Writes components (plain objects too) as a URL; the password is `********` unless
   * `revealPassword` is set (only for handing the URL to a driver).
   */
  toUrl(components: ConnectionComponents | ConnectionComponentsInput, options?: RenderConnectionUrlOptions): string;
} = {
  create: (input) => Object.freeze(normalizeComponents(input)),
  fromUrl: (url) => Object.freeze(parseConnectionUrl(url)),
  toUrl: (components, options = {}) => renderConnectionUrl(components, options),
};
