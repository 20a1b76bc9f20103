import { describe, expect, it } from "vitest";
import { planInsertBatch } from "../src/params/index.js";

describe("planInsertBatch: the bulk shape of a plain INSERT", () => {
  it.each([
    ["INSERT INTO t (a, b) VALUES (:a, :b)", { table: "t", columns: ["a", "b"], params: ["a", "b"] }],
    ['insert into "s"."My T" ("x y", b) values ( :p , :q );', { table: '"s"."My T"', columns: ['"x y"', "b"], params: ["p", "q"] }],
    ["INSERT INTO t VALUES (:a, :b, :a) -- comment", { table: "t", columns: undefined, params: ["a", "b", "a"] }],
    ["INSERT INTO t (a) VALUES (/* first */ :a)", { table: "t", columns: ["a"], params: ["a"] }],
  ])("%s → a bulk target", (sql, shape) => {
    expect(planInsertBatch(sql, "dollar")?.bulk).toEqual(shape);
  });

  it.each([
    "INSERT INTO t (a, b) VALUES (:a, now())",
    "INSERT INTO t (a, b) VALUES (:a, 'x')",
    "INSERT INTO t (a, b) VALUES (:a::int, :b)",
    "INSERT INTO t (a, b) VALUES (upper(:a), :b)",
    "INSERT INTO t (a, b) VALUES (:a + 1, :b)",
    "INSERT INTO t (a, b) VALUES ((:a), :b)",
    "INSERT INTO t (a, b, c) VALUES (:a, :b)",
  ])("%s → multi-row VALUES only, no bulk target", (sql) => {
    const template = planInsertBatch(sql, "dollar");
    expect(template).toBeDefined();
    expect(template?.bulk).toBeUndefined();
  });

  it.each(["INSERT INTO t (a) VALUES (:a) RETURNING id", "INSERT INTO t (a) VALUES (:a) ON CONFLICT DO NOTHING", "INSERT INTO t (a) SELECT :a"])(
    "%s is not a plain INSERT at all",
    (sql) => {
      expect(planInsertBatch(sql, "dollar")).toBeUndefined();
    },
  );
});
