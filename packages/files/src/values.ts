/** How binary values (Buffer, Uint8Array) are written to text formats. */
export type BinaryEncoding =
  /** `\x0a1b…`, which PostgreSQL's bytea reads back as binary (the default). */
  | "hex"
  /** Plain base64. */
  | "base64";

/**
 * Turns a database value into the text written to CSV or NDJSON.
 *
 * null stays null (CSV writes an empty unquoted field; NDJSON writes `null`); bigint and
 * decimal strings keep every digit; dates become ISO 8601 in UTC; binary is hex (`\x…`) or
 * base64; JSON objects and arrays are written as JSON text; booleans as `true`/`false`.
 */
export function toText(value: unknown, binary: BinaryEncoding): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return binary === "hex" ? `\\x${bytes.toString("hex")}` : bytes.toString("base64");
  }
  return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === "bigint" ? inner.toString() : inner));
}

/** A value for NDJSON: JSON's own types stay as they are, everything else becomes text. */
export function toJsonValue(value: unknown, binary: BinaryEncoding): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "bigint" || value instanceof Date || value instanceof Uint8Array) return toText(value, binary);
  return value;
}
