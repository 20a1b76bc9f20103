import { existsSync, readFileSync } from "node:fs";
import { inspect } from "node:util";
import { ConnectionComponents, isSecret, SqlConnector } from "@sqlblocks/core";
import { expect } from "vitest";
import { count, type SuiteContext } from "../context.js";

/** Secrets that must never appear outside the block: not in JSON, inspect, strings or the store's bytes. */
const CANARY_PASSWORD = "canary-password-5e1d";
const CANARY_KEY = "-----BEGIN PRIVATE KEY-----canary-key-9b2c-----END PRIVATE KEY-----";

/**
 * Blocks: a connector saved to the store and loaded by name works, and a block holding a
 * password and a TLS key never shows them (JSON, inspect, template strings, store bytes)
 * while keeping them intact for the driver.
 */
export function blockTests(ctx: SuiteContext): void {
  const { table, make, seed, test } = ctx;

  test("a saved block loads and works", async () => {
    await seed(2);
    await make().save("conformance-block", { store: ctx.store, overwrite: true });
    const loaded = await SqlConnector.load("conformance-block", { store: ctx.store });
    try {
      expect(count((await loaded.fetchAll(`SELECT COUNT(*) AS n FROM ${table}`))[0])).toBe(2);
    } finally {
      await loaded.close();
    }
  });

  test("a block's password and ssl.key never show in JSON, inspect, strings or the store's bytes", async () => {
    const components = ConnectionComponents.fromUrl(ctx.url);
    const block = new SqlConnector({
      connectionInfo: { ...components, password: CANARY_PASSWORD },
      ssl: { key: CANARY_KEY, rejectUnauthorized: false },
    });
    await block.save("conformance-canary", { store: ctx.store, overwrite: true });
    const loaded = await SqlConnector.load("conformance-canary", { store: ctx.store });
    const info = loaded.connectionInfo;
    const password = !isSecret(info) ? info.password : undefined;
    // The secrets are all there, for the driver …
    expect(password?.reveal()).toBe(CANARY_PASSWORD);
    const ssl = loaded.ssl;
    expect(typeof ssl === "object" && ssl.key?.reveal()).toBe(CANARY_KEY);
    // … and nowhere else.
    const renderings = [JSON.stringify(loaded), JSON.stringify(block), inspect(loaded, { depth: 10 }), `${loaded}`, JSON.stringify(loaded.toBlockData())];
    for (const rendering of renderings) {
      expect(rendering).not.toContain("canary-password");
      expect(rendering).not.toContain("canary-key");
    }
    expect(JSON.stringify(loaded)).toContain("********");
    for (const suffix of ["", "-wal", "-shm"]) {
      const file = `${ctx.store.location}${suffix}`;
      if (!existsSync(file)) continue;
      const bytes = readFileSync(file);
      expect(bytes.includes(Buffer.from("canary-password")), `${file} holds the password in plain text`).toBe(false);
      expect(bytes.includes(Buffer.from("canary-key")), `${file} holds the key in plain text`).toBe(false);
    }
    await loaded.close();
  });
}
