import { type Dialect, dialectOf, type Driver } from "../driver/drivers.js";
import { InvalidParametersError } from "../errors.js";

const QUOTES: Readonly<Record<Dialect, readonly [open: string, close: string]>> = {
  postgresql: ['"', '"'],
  sqlite: ['"', '"'],
  oracle: ['"', '"'],
  mysql: ["`", "`"],
  mariadb: ["`", "`"],
  mssql: ["[", "]"],
};

/**
 * Quotes one identifier for a driver's dialect, doubling the closing quote inside it.
 * A dotted name (`schema.table`) is quoted part by part.
 */
export function quoteIdentifier(driver: Driver, name: string): string {
  if (typeof name !== "string" || name.length === 0 || name.includes("\0")) {
    throw new InvalidParametersError(`an identifier must be a non-empty string without NUL, got ${JSON.stringify(name)}`);
  }
  const [open, close] = QUOTES[dialectOf(driver)];
  return name
    .split(".")
    .map((part) => {
      if (part.length === 0) throw new InvalidParametersError(`identifier ${JSON.stringify(name)} has an empty part`);
      return `${open}${part.split(close).join(close + close)}${close}`;
    })
    .join(".");
}
