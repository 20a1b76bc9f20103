import type { DialectFacts } from "../driver/contract.js";
import { InvalidParametersError, MissingParametersError } from "../errors.js";
import { bindParameters, type CompileOptions, type CompiledSql } from "../params/index.js";
import type { Params } from "./types.js";

/** SQL ready for the driver: positional placeholders and their values. */
export interface Compiled {
  sql: string;
  values: readonly unknown[];
}

/** True for positional parameters (an array), false for named ones. */
export function isPositional(params: Params | undefined): params is readonly unknown[] {
  return Array.isArray(params);
}

/** The compiler options a dialect asks for. */
export function compileOptions(dialect: DialectFacts): CompileOptions {
  return { backslashEscapes: dialect.backslashEscapes === true, hashComments: dialect.hashComments === true };
}

/** SQL text every method accepts: a non-empty string without NUL (SQLite would cut it there). */
export function assertSqlText(sql: unknown): asserts sql is string {
  if (typeof sql !== "string" || !/\S/.test(sql)) throw new InvalidParametersError("sql must be a non-empty string");
  if (sql.includes("\0")) {
    throw new InvalidParametersError("sql must not contain a NUL character: databases cut the text there or reject it");
  }
}

/** Binds one parameter set; errors name the set's index when there is one. */
export function bindWithIndex(compiled: CompiledSql, params: Params | undefined, index: number | undefined): unknown[] {
  if (isPositional(params)) return [...params];
  try {
    return bindParameters(compiled, params as Readonly<Record<string, unknown>> | undefined);
  } catch (error) {
    if (index !== undefined && error instanceof MissingParametersError) throw new MissingParametersError(error.missing, index);
    if (index !== undefined && error instanceof InvalidParametersError) {
      throw new InvalidParametersError(`${error.message.replace(/^invalid parameters: /, "")} (parameter set ${index})`);
    }
    throw error;
  }
}

/** A stable text key for (sql, params): key order does not matter, no parameters equals `{}`. */
export function resultKey(sql: string, params: Params | undefined): string {
  return `${sql}\u0000${paramsKey(params)}`;
}

/** The parameters' part of {@link resultKey}. */
export function paramsKey(params: Params | undefined): string {
  if (params === undefined) return "";
  if (!Array.isArray(params)) {
    const keys = Object.keys(params);
    if (keys.length === 0) return "";
    // The common point lookup: one scalar parameter needs no generic walk.
    if (keys.length === 1) {
      const value = (params as Record<string, unknown>)[keys[0]!];
      if (typeof value === "number") return `\u0001${keys[0]}=n${value}`;
      if (typeof value === "string") return `\u0001${keys[0]}=s${value}`;
    }
  }
  const seen = new WeakSet<object>();
  return JSON.stringify(params, (_key, value: unknown) => {
    if (typeof value === "bigint") return `${value}n`;
    if (value instanceof Date) return `D${value.toISOString()}`;
    if (typeof value === "object" && value !== null) {
      if (seen.has(value)) return "[cycle]";
      seen.add(value);
      if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `B${Buffer.from(value as Uint8Array).toString("base64")}`;
      if (!Array.isArray(value)) {
        return Object.fromEntries(Object.keys(value).sort().map((k) => [k, (value as Record<string, unknown>)[k]]));
      }
    }
    return value;
  });
}
