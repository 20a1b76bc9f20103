/**
 * Values as mysql2 should bind them: `undefined` becomes NULL, and plain objects become
 * JSON text (mysql2 would otherwise send `'[object Object]'`). Arrays stay arrays, so
 * `IN (:ids)` expands to a list; Dates, Buffers, bigints and booleans pass through.
 */
export function toMysqlValues(values: readonly unknown[]): unknown[] {
  const out = new Array<unknown>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = toMysqlValue(values[i]);
  return out;
}

function toMysqlValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === "object" && value !== null) {
    const prototype = Object.getPrototypeOf(value) as unknown;
    if (prototype === Object.prototype || prototype === null) return JSON.stringify(value);
  }
  return value;
}
