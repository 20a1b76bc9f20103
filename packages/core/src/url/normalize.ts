import { InvalidConnectionInfoError } from "../errors.js";
import type { ConnectionComponents, ConnectionComponentsInput } from "./components.js";
import { buildComponents, FieldProblem } from "./fields.js";

/**
 * Checks connection components and brings them to their one normal form.
 *
 * - `driver`: any accepted alias (`"postgres"`, `"mysql+pymysql"`, …) becomes a {@link Driver}.
 * - `password`: a string is wrapped in a {@link Secret}; `""` is kept as an empty password.
 * - `port`: an integer 1..65535, or a string of digits (`"5432"`).
 * - `host`: no spaces, slashes or URL delimiters; an IPv6 address is kept without brackets
 *   (`"[::1]"` becomes `"::1"`).
 * - `query`: every value must be a string; `{}` becomes "no query".
 * - `""`, `null` and `undefined` all mean "not set" for `database`, `username`, `host` and
 *   `port`. A SQLite database that is not set is `":memory:"`, as in SQLAlchemy.
 *
 * @example
 * normalizeComponents({ driver: "postgres", host: "db", port: "5432", password: "s3cret" });
 * // { driver: Driver.POSTGRESQL_PG, password: Secret(********), host: "db", port: 5432 }
 *
 * @throws {InvalidConnectionInfoError} naming the field that is wrong (never showing the password)
 * @throws {UnknownDriverError} when the driver is not one sqlblocks knows
 */
export function normalizeComponents(input: ConnectionComponentsInput): ConnectionComponents {
  try {
    return buildComponents(input);
  } catch (error) {
    if (error instanceof FieldProblem) throw new InvalidConnectionInfoError(error.reason);
    throw error;
  }
}
