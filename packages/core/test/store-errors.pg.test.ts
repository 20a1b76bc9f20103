/**
 * A PostgreSQL store that cannot be used — unreachable, wrong password, wrong database —
 * is a typed StoreError within 10 s whose renderings never hold the password, and nothing
 * is written (no schema on the server, no key file). The password cases run on a private
 * scram-sha-256 server the test starts itself.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { inspect } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BlockStore, StoreError, SqlConnector } from "../src/index.js";
import { type ScramPostgres, scramPostgresUnavailable, startScramPostgres } from "./helpers/scram-postgres.js";

const homes: string[] = [];
function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sqlblocks-${prefix}-`));
  homes.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of homes) fs.rmSync(dir, { recursive: true, force: true });
});

const PASSWORD = "Scram-Canary-Pw-6613";
const WRONG = "Wrong-Canary-Pw-2208";
const unavailable = await scramPostgresUnavailable();
if (unavailable && process.env.CI === "true") throw new Error(`cannot start a private PostgreSQL: ${unavailable}`);

function renderings(error: unknown): string {
  return [String(error), (error as Error).message, JSON.stringify(error), inspect(error, { depth: 5 }), (error as Error).stack].join("\n");
}

async function expectStoreError(url: string, home: string, secrets: readonly string[]): Promise<StoreError> {
  const started = Date.now();
  const error = await BlockStore.open({ home, engine: "postgres", url, env: {} })
    .then(async (store) => {
      await SqlConnector.load("x", { store }).finally(() => store.close());
      throw new Error("expected the store to fail");
    })
    .catch((e: unknown) => e);
  expect(Date.now() - started).toBeLessThan(10_000);
  expect(error).toBeInstanceOf(StoreError);
  expect((error as StoreError).code).toBe("SQLBLOCKS_STORE");
  const text = renderings(error);
  for (const secret of secrets) {
    expect(text).not.toContain(secret);
    expect(text).not.toContain(encodeURIComponent(secret));
  }
  expect(fs.readdirSync(home)).toEqual([]);
  return error as StoreError;
}

describe("an unreachable PostgreSQL store", () => {
  it("a closed port is a StoreError at once", async () => {
    const home = tempDir("store-closed");
    const error = await expectStoreError(`postgresql://app:${PASSWORD}@127.0.0.1:9/db`, home, [PASSWORD]);
    expect(error.message).toMatch(/^cannot connect to the block store at postgresql:\/\/app@127\.0\.0\.1:9\/db \(schema sqlblocks\) \(ECONNREFUSED/);
  });

  it("a host that never answers gives up within 10 s", async () => {
    const home = tempDir("store-blackhole");
    const error = await expectStoreError(`postgresql://app:${PASSWORD}@10.255.255.1:5432/db`, home, [PASSWORD]);
    expect(error.message).toMatch(/^cannot connect to the block store at postgresql:\/\/app@10\.255\.255\.1:5432\/db/);
  }, 15_000);
});

describe.skipIf(unavailable)(`a PostgreSQL store with password authentication${unavailable ? ` (skipped: ${unavailable})` : ""}`, () => {
  let server: ScramPostgres;
  beforeAll(async () => {
    server = await startScramPostgres(PASSWORD);
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
  });

  async function schemas(): Promise<string[]> {
    const client = new pg.Client({ host: "127.0.0.1", port: server.port, user: "postgres", password: PASSWORD, database: "postgres" });
    await client.connect();
    try {
      return (await client.query("SELECT nspname FROM pg_namespace WHERE nspname = 'sqlblocks'")).rows.map((r) => String(r.nspname));
    } finally {
      await client.end();
    }
  }

  it("a wrong password is a StoreError that names neither password; nothing is written", async () => {
    const home = tempDir("store-wrong-pw");
    const error = await expectStoreError(`postgresql://postgres:${WRONG}@127.0.0.1:${server.port}/postgres`, home, [WRONG, PASSWORD]);
    expect(error.message).toContain(`cannot connect to the block store at postgresql://postgres@127.0.0.1:${server.port}/postgres (schema sqlblocks) (28P01:`);
    expect(error.message).toContain("password authentication failed");
    expect(await schemas()).toEqual([]);
  });

  it("a wrong database is a StoreError; nothing is written", async () => {
    const home = tempDir("store-wrong-db");
    const error = await expectStoreError(`postgresql://postgres:${PASSWORD}@127.0.0.1:${server.port}/no_such_db`, home, [PASSWORD]);
    expect(error.message).toContain("(3D000: database \"no_such_db\" does not exist)");
    expect(await schemas()).toEqual([]);
  });

  it("the right password works, and the store lives in its own schema", async () => {
    const home = tempDir("store-right-pw");
    const url = `postgresql://postgres:${encodeURIComponent(PASSWORD)}@127.0.0.1:${server.port}/postgres`;
    const store = await BlockStore.open({ home, engine: "postgres", url, env: { SQLBLOCKS_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString("base64") } });
    try {
      await new SqlConnector({ connectionInfo: "postgresql+pg://app:Block-Pw-1@db/x" }).save("ok", { store });
      expect((await SqlConnector.load("ok", { store })).components.password?.reveal()).toBe("Block-Pw-1");
      expect(store.location).toBe(`postgresql://postgres@127.0.0.1:${server.port}/postgres (schema sqlblocks)`);
    } finally {
      await store.close();
    }
    expect(await schemas()).toEqual(["sqlblocks"]);
  });
});
