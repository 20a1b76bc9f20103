import { describe, expect, it } from "vitest";
import { bindsAreUniform, columnKey, toOracleValue } from "../src/index.js";

describe("Oracle bind values", () => {
  it.each([
    [undefined, null],
    [null, null],
    [true, 1],
    [false, 0],
    ["text", "text"],
    [42, 42],
    [10n, 10n],
    [{ a: 1 }, '{"a":1}'],
    [[1, 2], "[1,2]"],
  ])("%s binds as %s", (input, output) => {
    expect(toOracleValue(input)).toEqual(output);
  });

  it("keeps dates and buffers, and turns other byte arrays into buffers", () => {
    const when = new Date();
    expect(toOracleValue(when)).toBe(when);
    const buffer = Buffer.from("ab");
    expect(toOracleValue(buffer)).toBe(buffer);
    expect(toOracleValue(new Uint8Array([1, 2]))).toEqual(Buffer.from([1, 2]));
  });

  it("lets executeMany bind sets whose positions keep one type (nulls allowed)", () => {
    expect(bindsAreUniform([[1, "a", null], [2n, null, new Date()], [3, "c", new Date()]])).toBe(true);
    expect(bindsAreUniform([[1], ["not a number"]])).toBe(false);
    expect(bindsAreUniform([[1, 2], [3]])).toBe(false);
    expect(bindsAreUniform([[Symbol("x")]])).toBe(false);
    expect(bindsAreUniform([[], []])).toBe(true);
  });
});

describe("Oracle column names", () => {
  it.each([
    ["ID", "id"],
    ["CUSTOMER_ID", "customer_id"],
    ["N", "n"],
    ["MixedCase", "MixedCase"],
    ["lower", "lower"],
    ["COUNT(*)", "COUNT(*)"],
    ["1", "1"],
    ["A B", "A B"],
  ])("%s → %s", (name, key) => {
    expect(columnKey(name)).toBe(key);
  });
});
