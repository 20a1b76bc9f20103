import { describe, expect, it } from "vitest";
import { assertValidBlockName, suggestBlockName } from "../src/blocks/names.js";
import { InvalidBlockNameError, isSqlBlocksError } from "../src/errors.js";
import { thrown } from "./helpers/test-plugin.js";

const RULE =
  'names use lowercase letters, digits, "-" and "_", are 1 to 128 characters long and start with a letter or digit';

describe("block names", () => {
  it.each([
    "a",
    "0",
    "my-warehouse",
    "my_warehouse",
    "warehouse-2",
    "9lives",
    "a-_-b",
    "trailing-",
    "trailing_",
    "x".repeat(128),
  ])("accepts %j", (name) => {
    expect(() => assertValidBlockName(name)).not.toThrow();
  });

  it.each([
    ["My Warehouse!", "my-warehouse"],
    ["MyWarehouse", "mywarehouse"],
    ["my warehouse", "my-warehouse"],
    ["-leading", "leading"],
    ["_leading", "leading"],
    ["db.prod", "db-prod"],
    ["sql/connector", "sql-connector"],
    ["café", "cafe"],
    ["a  b", "a-b"],
    ["x".repeat(129), "x".repeat(128)],
  ])("refuses %j and suggests %j", (name, suggestion) => {
    const error = thrown(() => assertValidBlockName(name)) as InvalidBlockNameError;
    expect(error).toBeInstanceOf(InvalidBlockNameError);
    expect(isSqlBlocksError(error)).toBe(true);
    expect(error.code).toBe("SQLBLOCKS_INVALID_BLOCK_NAME");
    expect(error.message).toBe(`invalid block name ${JSON.stringify(name)}: ${RULE}; try ${JSON.stringify(suggestion)}`);
    expect(error.blockName).toBe(name);
    expect(error.suggestion).toBe(suggestion);
    // The suggestion itself is a valid name.
    expect(() => assertValidBlockName(suggestion)).not.toThrow();
  });

  it("states the exact rule for 'My Warehouse!'", () => {
    expect(() => assertValidBlockName("My Warehouse!")).toThrow(
      'invalid block name "My Warehouse!": names use lowercase letters, digits, "-" and "_", are 1 to 128 characters long and start with a letter or digit; try "my-warehouse"',
    );
  });

  it.each(["", "!!!", "---", "   "])("refuses %j and has no suggestion to make", (name) => {
    const error = thrown(() => assertValidBlockName(name)) as InvalidBlockNameError;
    expect(error).toBeInstanceOf(InvalidBlockNameError);
    expect(error.suggestion).toBeUndefined();
    expect(error.message).toBe(`invalid block name ${JSON.stringify(name)}: ${RULE}`);
  });

  it("refuses values that are not strings", () => {
    const error = thrown(() => assertValidBlockName(42)) as InvalidBlockNameError;
    expect(error).toBeInstanceOf(InvalidBlockNameError);
    expect(error.message).toBe(`invalid block name "42": ${RULE}; try "42"`);
    expect(() => assertValidBlockName(undefined)).toThrow(InvalidBlockNameError);
  });

  it("suggestBlockName leaves a valid name alone", () => {
    expect(suggestBlockName("my-warehouse")).toBe("my-warehouse");
  });
});
