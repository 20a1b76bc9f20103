import type { Row } from "@sqlblocks/core/driver";

/** An unquoted Oracle identifier, as the database stores it: upper case. */
const CASE_INSENSITIVE_NAME = /^[A-Z][A-Z0-9_$#]*$/;

/**
 * A column name as sqlblocks returns it. As SQLAlchemy does for Oracle, a name Oracle
 * folded to upper case (`SELECT id` gives `ID`) comes back in lower case, so rows look
 * the same on every database; a quoted mixed-case name (`"MixedCase"`) or an expression
 * (`COUNT(*)`) is kept as it is.
 *
 * @example
 * columnKey("CUSTOMER_ID") // "customer_id"
 * columnKey("MixedCase")   // "MixedCase"
 */
export function columnKey(name: string): string {
  return CASE_INSENSITIVE_NAME.test(name) ? name.toLowerCase() : name;
}

/** Turns rows fetched as arrays into objects keyed by {@link columnKey}. */
export class RowShaper {
  readonly #keys: string[];

  constructor(metaData: readonly { name: string }[] | undefined) {
    this.#keys = (metaData ?? []).map((column) => columnKey(column.name));
  }

  shape(rows: readonly unknown[][] | undefined): Row[] {
    const keys = this.#keys;
    const out = new Array<Row>(rows?.length ?? 0);
    for (let r = 0; r < out.length; r++) {
      const values = rows![r]!;
      const row: Row = {};
      for (let c = 0; c < keys.length; c++) row[keys[c]!] = values[c];
      out[r] = row;
    }
    return out;
  }
}
