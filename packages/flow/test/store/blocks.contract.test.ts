/** The store contract, part 1: blocks on every engine (same assertions everywhere). */
import {
  BlockAlreadyExistsError,
  BlockNotFoundError,
  type BlockStore,
  MASK,
  SqlConnector,
} from "@sqlblocks/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES, type StoreLocation } from "./engines.js";

const PASSWORD = "Contract-Pw-4417";
const url = (host: string, password = PASSWORD) => `postgresql+pg://app:${password}@${host}:5432/shop`;

for (const engine of ENGINES) {
  describe.skipIf(engine.unavailable)(`store contract: blocks on ${engine.engine}${engine.unavailable ? ` (skipped: ${engine.unavailable})` : ""}`, () => {
    let location: StoreLocation;
    let store: BlockStore;
    beforeAll(async () => {
      location = engine.location();
      store = await location.open();
    });
    afterAll(async () => {
      await store?.close();
      await location?.drop();
    });

    it("reports its engine and a location without a password", () => {
      expect(store.db.engine).toBe(engine.engine);
      expect(store.db.dialect).toBe(engine.engine === "postgres" ? "postgres" : "sqlite");
      expect(store.location).not.toContain(":@");
    });

    it("saves, loads, lists and deletes a block", async () => {
      await new SqlConnector({ connectionInfo: url("db1") }).save("contract-one", { store });
      const loaded = await SqlConnector.load("contract-one", { store });
      expect(loaded.components.host).toBe("db1");
      expect(loaded.components.password?.reveal()).toBe(PASSWORD);
      expect((await store.listDocuments()).map((doc) => doc.name)).toContain("contract-one");
      expect(await store.deleteDocument("sql-connector", "contract-one")).toBe(true);
      expect(await store.deleteDocument("sql-connector", "contract-one")).toBe(false);
      await expect(SqlConnector.load("contract-one", { store })).rejects.toBeInstanceOf(BlockNotFoundError);
    });

    it("refuses to overwrite without overwrite, replaces with it", async () => {
      await new SqlConnector({ connectionInfo: url("db1") }).save("contract-two", { store });
      await expect(new SqlConnector({ connectionInfo: url("db2") }).save("contract-two", { store })).rejects.toBeInstanceOf(
        BlockAlreadyExistsError,
      );
      expect((await SqlConnector.load("contract-two", { store })).components.host).toBe("db1");
      await new SqlConnector({ connectionInfo: url("db2", "other-pw") }).save("contract-two", { store, overwrite: true });
      const loaded = await SqlConnector.load("contract-two", { store });
      expect(loaded.components.host).toBe("db2");
      expect(loaded.components.password?.reveal()).toBe("other-pw");
    });

    it("keeps the stored secret when a masked one is saved over it", async () => {
      await new SqlConnector({ connectionInfo: url("db1") }).save("contract-masked", { store });
      await new SqlConnector({ connectionInfo: url("db3", MASK) }).save("contract-masked", { store, overwrite: true });
      const loaded = await SqlConnector.load("contract-masked", { store });
      expect(loaded.components.host).toBe("db3");
      expect(loaded.components.password?.reveal()).toBe(PASSWORD);
    });

    it("stores data sealed: no plain-text secret in the documents table, each row names its key", async () => {
      await new SqlConnector({ connectionInfo: url("db1") }).save("contract-sealed", { store });
      const rows = await store.db.all<{ data: string; key_id: string | null }>("SELECT data, key_id FROM block_documents");
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        expect(row.data).not.toContain(PASSWORD);
        expect(row.data).toMatch(/^v1\./);
        expect(row.key_id).toMatch(/^[0-9a-f]{16}$/);
      }
    });

    it("serialises concurrent writers on the same names across connections: none lost, none corrupt", async () => {
      const other = await location.open();
      try {
        const names = ["c-a", "c-b", "c-c"];
        const writes: Promise<unknown>[] = [];
        for (let i = 0; i < 30; i++) {
          const target = i % 2 === 0 ? store : other;
          const name = names[i % names.length]!;
          writes.push(new SqlConnector({ connectionInfo: url(`h${i}`) }).save(name, { store: target, overwrite: true }));
          writes.push(SqlConnector.load(name, { store: target }).catch((error: unknown) => error));
        }
        const results = await Promise.all(writes);
        for (const result of results) {
          if (result instanceof Error) expect(result).toBeInstanceOf(BlockNotFoundError);
        }
        for (const name of names) {
          const loaded = await SqlConnector.load(name, { store: other });
          expect(loaded.components.host).toMatch(/^h\d+$/);
          expect(loaded.components.password?.reveal()).toBe(PASSWORD);
        }
        // Without overwrite, exactly one of many racing creators wins.
        const racing = await Promise.allSettled(
          Array.from({ length: 8 }, (_, i) =>
            new SqlConnector({ connectionInfo: url(`r${i}`) }).save("c-race", { store: i % 2 ? store : other }),
          ),
        );
        expect(racing.filter((r) => r.status === "fulfilled")).toHaveLength(1);
        for (const r of racing) {
          if (r.status === "rejected") expect(r.reason).toBeInstanceOf(BlockAlreadyExistsError);
        }
      } finally {
        await other.close();
      }
    });
  });
}
