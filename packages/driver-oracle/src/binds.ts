/**
 * JavaScript values as node-oracledb binds them.
 *
 * Oracle before 23ai has no SQL BOOLEAN: booleans bind as 1 and 0, which 23ai also
 * converts into its BOOLEAN. Plain objects and arrays bind as JSON text (node-oracledb
 * would read an array as a PL/SQL collection). `undefined` is NULL.
 */
export function toOracleValue(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === "object") {
    const proto: unknown = Object.getPrototypeOf(value);
    if (Array.isArray(value) || proto === null || proto === Object.prototype) return JSON.stringify(value);
  }
  return value;
}

/** Every value of one parameter set, converted. */
export function toOracleBinds(values: readonly unknown[]): unknown[] {
  return values.map(toOracleValue);
}

type BindKind = "string" | "number" | "date" | "buffer" | "other";

function kindOf(value: unknown): BindKind | undefined {
  if (value === null) return undefined;
  if (typeof value === "string") return "string";
  if (typeof value === "number" || typeof value === "bigint") return "number";
  if (value instanceof Date) return "date";
  if (Buffer.isBuffer(value)) return "buffer";
  return "other";
}

/**
 * Whether `connection.executeMany` can bind these sets: node-oracledb takes each
 * position's type from its first non-null value and refuses a set whose value has
 * another type (NJS-011) without saying which set that was.
 */
export function bindsAreUniform(sets: readonly (readonly unknown[])[]): boolean {
  const width = sets[0]?.length ?? 0;
  const kinds = new Array<BindKind | undefined>(width);
  for (const set of sets) {
    if (set.length !== width) return false;
    for (let position = 0; position < width; position++) {
      const kind = kindOf(set[position]);
      if (kind === undefined) continue;
      if (kind === "other") return false;
      const seen = kinds[position];
      if (seen === undefined) kinds[position] = kind;
      else if (seen !== kind) return false;
    }
  }
  return true;
}
