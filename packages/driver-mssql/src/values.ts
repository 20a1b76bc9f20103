import mssql from "mssql";

/** The name of the `index`-th placeholder, as core's "at-p" style writes it (`@p0`, `@p1`, …). */
export function parameterName(index: number): string {
  return `p${index}`;
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}

/**
 * Adds the positional values as `@p0…` inputs.
 *
 * mssql infers most types from the JavaScript value (string → NVARCHAR, integer → INT or
 * BIGINT, fraction → FLOAT, boolean → BIT, Buffer → VARBINARY). Where its guess loses
 * information, the type is given: Date → DATETIME2 (mssql would pick DATETIME, rounding
 * to 1/300 s), bigint → BIGINT, plain objects and arrays → JSON text.
 */
export function bindValues(request: mssql.Request, values: readonly unknown[]): void {
  for (let index = 0; index < values.length; index++) {
    const name = parameterName(index);
    const value = values[index];
    if (value === undefined || value === null) {
      request.input(name, null);
    } else if (value instanceof Date) {
      request.input(name, mssql.DateTime2(7), value);
    } else if (typeof value === "bigint") {
      request.input(name, mssql.BigInt, value);
    } else if (Buffer.isBuffer(value)) {
      request.input(name, mssql.VarBinary(mssql.MAX), value);
    } else if (value instanceof Uint8Array) {
      request.input(name, mssql.VarBinary(mssql.MAX), Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    } else if (typeof value === "object" && (Array.isArray(value) || isPlainObject(value))) {
      request.input(name, mssql.NVarChar(mssql.MAX), JSON.stringify(value));
    } else {
      request.input(name, value);
    }
  }
}
