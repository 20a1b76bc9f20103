import type { Driver } from "../driver/drivers.js";
import type { Secret } from "../secret/secret.js";

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
