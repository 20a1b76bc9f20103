import { describe, expect, it } from "vitest";
import { mergeOptions, normalizeQueryKey, parseBoolean, parseInteger } from "../src/driver/options.js";
import { InvalidConnectionInfoError } from "../src/errors.js";

describe("URL query helpers shared by drivers", () => {
  it("matches keys however ODBC, SQLAlchemy or JavaScript users spell them", () => {
    for (const key of ["TrustServerCertificate", "trust_server_certificate", "trust-server-certificate", "trustServerCertificate"]) {
      expect(normalizeQueryKey(key)).toBe("trustservercertificate");
    }
  });

  it.each([
    ["true", true],
    ["YES", true],
    ["1", true],
    ["on", true],
    ["False", false],
    ["no", false],
    ["0", false],
    [" off ", false],
  ])("reads %j as %s", (text, expected) => {
    expect(parseBoolean("encrypt", text)).toBe(expected);
  });

  it("refuses other booleans and integers with the parameter named", () => {
    expect(() => parseBoolean("encrypt", "maybe")).toThrow(InvalidConnectionInfoError);
    expect(() => parseBoolean("encrypt", "maybe")).toThrow('URL query parameter encrypt="maybe" must be true or false');
    expect(parseInteger("connect_timeout", " 15 ")).toBe(15);
    expect(() => parseInteger("connect_timeout", "-1")).toThrow("must be a whole number of at least 0");
    expect(() => parseInteger("pool", "0", 1)).toThrow("must be a whole number of at least 1");
    expect(() => parseInteger("pool", "2.5")).toThrow(InvalidConnectionInfoError);
  });

  it("merges options last-wins, one level deeper for the nested keys", () => {
    const merged = mergeOptions({ a: 1, options: { encrypt: true, port: 1 } }, { a: 2, options: { port: 2 } }, ["options"]);
    expect(merged).toEqual({ a: 2, options: { encrypt: true, port: 2 } });
    expect(mergeOptions({ a: 1, b: { x: 1 } }, { b: { y: 2 } }, [])).toEqual({ a: 1, b: { y: 2 } });
    expect(mergeOptions({ a: 1 }, undefined, [])).toEqual({ a: 1 });
  });
});
