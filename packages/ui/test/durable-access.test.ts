import { BlockStore } from "@sqlblocks/core";
import { describe, expect, it } from "vitest";
import { createDurableAccess, readRunParameters } from "../src/index.js";
import { PG_URL } from "./helpers.js";

describe("durable access and trigger parameters", () => {
  it("reads parameters as sqlblocks run --param does: JSON when it parses, else the text", () => {
    expect(
      readRunParameters([
        { key: "day", value: "2024-01-01" },
        { key: " n ", value: "3" },
        { key: "ok", value: "true" },
        { key: "tags", value: '["a", "b"]' },
        { key: "quoted", value: '"3"' },
        { key: "", value: "" },
        { key: "empty", value: "" },
        { key: "script", value: "<script>alert(1)</script>" },
      ]),
    ).toEqual({ day: "2024-01-01", n: 3, ok: true, tags: ["a", "b"], quoted: "3", empty: "", script: "<script>alert(1)</script>" });
    expect(readRunParameters(undefined)).toEqual({});
    // A default the form left as shown is not sent: the deployment's own value applies.
    expect(readRunParameters([{ key: "token", keepDefault: true }, { key: "day", value: "1" }])).toEqual({ day: 1 });
    expect(() => readRunParameters([{ key: "token", keepDefault: true }, { key: "token", value: "x" }])).toThrow("token is given twice");
    expect(() => readRunParameters([{ key: "a", value: '{"x":' }])).toThrow('a: "{\\"x\\":" looks like JSON but does not parse');
    expect(() => readRunParameters([{ key: 1, value: "x" }])).toThrow("row 1: key and value must be text");
    expect(() => readRunParameters({ a: 1 })).toThrow("parameters must be a list");
  });

  it("says clearly when @sqlblocks/dbos is not installed, and when the cluster is not configured", async () => {
    const store = await BlockStore.open({ engine: "postgres", url: PG_URL, schema: `ui_durable_${process.pid}`, home: "/nonexistent-home", env: {} });
    try {
      const missing = createDurableAccess({ store, env: { SQLBLOCKS_STORE_URL: PG_URL }, load: async () => undefined });
      expect(await missing.get()).toEqual({
        available: false,
        reason:
          "Deployments and workers need @sqlblocks/dbos, which is not installed: run pnpm add @sqlblocks/dbos (npm install @sqlblocks/dbos) in your project, then start sqlblocks ui again.",
      });
      const unconfigured = createDurableAccess({ store, env: {} });
      const state = await unconfigured.get();
      expect(state.available).toBe(false);
      expect(!state.available && state.reason).toMatch(/durable runs need PostgreSQL: set SQLBLOCKS_STORE_URL=/);
    } finally {
      await store.db.run(`DROP SCHEMA IF EXISTS ui_durable_${process.pid} CASCADE`);
      await store.close();
    }
  });
});
