/**
 * Secret canary probes that need no database server: blocks whose password, URL password
 * and ssl key are canaries, then every place they could leak — the store's bytes, the key
 * file, connector renderings, driver errors, a flow run's console and stored history, and
 * every CLI command's output. The PostgreSQL and MariaDB probes are in canary.pg.test.ts
 * and canary.mysql.test.ts.
 */
import fs from "node:fs";
import path from "node:path";
import { Block, BlockStore, closeDefaultStores, isSqlBlocksError, registerDriver, SqlConnector, STORE_FILE_NAME } from "@sqlblocks/core";
import mysqlPlugin from "@sqlblocks/driver-mysql";
import postgresPlugin from "@sqlblocks/driver-postgres";
import sqlitePlugin from "@sqlblocks/driver-sqlite";
import { RunHistory } from "@sqlblocks/flow";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CanaryProbes,
  canaryUrl,
  errorRenderings,
  PASSWORD_CANARY,
  renderings,
  SSL_KEY_CANARY,
  URL_PASSWORD_CANARY,
} from "./support/canary.js";
import { type ChildResult, runCli, runFixture } from "./support/child.js";
import { rejection, tempDir } from "./support/env.js";

const probes = new CanaryProbes();
const home = tempDir("canary");
const storeFile = path.join(home, STORE_FILE_NAME);
const storeFiles = [storeFile, `${storeFile}-wal`, `${storeFile}-shm`];

/** Blocks with canary secrets pointing at closed ports: nothing ever answers them. */
const BLOCKS: Record<string, () => SqlConnector> = {
  "canary-pg-components": () =>
    new SqlConnector({
      connectionInfo: { driver: "postgresql+pg", host: "127.0.0.1", port: 1, database: "shop", username: "app", password: PASSWORD_CANARY },
      ssl: { key: SSL_KEY_CANARY, rejectUnauthorized: false },
      connectTimeoutMs: 2_000,
    }),
  "canary-pg-url": () =>
    new SqlConnector({ connectionInfo: canaryUrl("postgresql+pg://127.0.0.1:1/shop"), ssl: { key: SSL_KEY_CANARY }, connectTimeoutMs: 2_000 }),
  "canary-mysql-components": () =>
    new SqlConnector({
      connectionInfo: { driver: "mariadb+mysql2", host: "127.0.0.1", port: 1, database: "shop", username: "app", password: PASSWORD_CANARY },
      ssl: { key: SSL_KEY_CANARY },
      connectTimeoutMs: 2_000,
    }),
  "canary-mysql-url": () => new SqlConnector({ connectionInfo: canaryUrl("mysql+pymysql://127.0.0.1:1/shop"), connectTimeoutMs: 2_000 }),
};
const SECRET_BLOCKS = Object.keys(BLOCKS);

function checkStoreBytes(when: string): void {
  for (const file of storeFiles) {
    if (fs.existsSync(file)) probes.check(`store bytes: ${path.basename(file)} (${when})`, fs.readFileSync(file));
  }
}

function checkOutput(probe: string, result: ChildResult): void {
  probes.check(`${probe}: stdout`, result.stdout);
  probes.check(`${probe}: stderr`, result.stderr);
}

beforeAll(async () => {
  registerDriver(postgresPlugin);
  registerDriver(mysqlPlugin);
  registerDriver(sqlitePlugin);
  const store = await BlockStore.open({ home, env: {} });
  try {
    for (const [name, make] of Object.entries(BLOCKS)) await make().save(name, { store });
    await new SqlConnector({ connectionInfo: `sqlite+better-sqlite3:///${path.join(home, "local.db")}` }).save("canary-local", { store });
  } finally {
    await store.close();
  }
});

afterAll(async () => {
  await closeDefaultStores();
  console.log(probes.summary("canary.test.ts (no server)"));
});

describe("canary: the store on disk", () => {
  it("holds no canary in sqlblocks.db, -wal or -shm, and the secrets still round-trip", async () => {
    checkStoreBytes("closed");
    const store = await BlockStore.open({ home, env: {} });
    try {
      // Written while open: the WAL holds the newest pages.
      await BLOCKS["canary-pg-components"]!().save("canary-pg-components", { store, overwrite: true });
      await BLOCKS["canary-pg-url"]!().save("canary-wal", { store });
      expect(fs.existsSync(`${storeFile}-wal`)).toBe(true);
      checkStoreBytes("open, after saving");
      const loaded = await SqlConnector.load("canary-pg-components", { store });
      expect(loaded.components.password?.reveal()).toBe(PASSWORD_CANARY);
      expect((loaded.ssl as { key: { reveal(): string } }).key.reveal()).toBe(SSL_KEY_CANARY);
      expect((await SqlConnector.load("canary-pg-url", { store })).components.password?.reveal()).toBe(URL_PASSWORD_CANARY);
      // Listing and type records are metadata only.
      probes.check("store: listDocuments", JSON.stringify(await store.listDocuments()));
      probes.check("store: listTypes", JSON.stringify(await store.listTypes()));
      const db = new Database(storeFile, { readonly: true });
      try {
        probes.check("store: block_documents rows", JSON.stringify(db.prepare("SELECT * FROM block_documents").all()));
      } finally {
        db.close();
      }
    } finally {
      await store.close();
    }
    checkStoreBytes("after closing");
  });

  it("keeps the key in a 0600 file apart from the database, and not inside it", () => {
    const keyFile = path.join(home, "encryption.key");
    const mode = fs.statSync(keyFile).mode & 0o777;
    expect(mode.toString(8)).toBe("600");
    probes.record("key file mode is 0600");
    const key = fs.readFileSync(keyFile, "utf8").trim();
    expect(Buffer.from(key, "base64")).toHaveLength(32);
    for (const file of storeFiles) {
      if (!fs.existsSync(file)) continue;
      const bytes = fs.readFileSync(file);
      expect(bytes.includes(Buffer.from(key)), `${path.basename(file)} holds the key`).toBe(false);
      expect(bytes.includes(Buffer.from(key, "base64")), `${path.basename(file)} holds the raw key`).toBe(false);
    }
    probes.record("key bytes absent from the store files");
    probes.check("key file contents", fs.readFileSync(keyFile));
  });
});

describe("canary: printing connectors, components and URLs", () => {
  it.each(SECRET_BLOCKS)("%s: built, loaded, and after a failed connection, prints no secret", async (name) => {
    const store = await BlockStore.open({ home, env: {} });
    try {
      const built = BLOCKS[name]!();
      const loaded = await SqlConnector.load(name, { store });
      const generic = await Block.load(`sql-connector/${name}`, { store });
      for (const [kind, connector] of [
        ["built", built],
        ["loaded", loaded],
        ["Block.load", generic as SqlConnector],
      ] as const) {
        probes.check(`connector (${kind}): JSON/inspect/template`, renderings(connector));
        probes.check(`connector (${kind}): spread and entries`, renderings({ ...connector }) + renderings(Object.entries(connector)));
        probes.check("components: JSON/inspect/template", renderings(connector.components));
        probes.check("connectionInfo: JSON/inspect/template", renderings(connector.connectionInfo));
        probes.check("URL: renderUrl()", renderings(connector.renderUrl()));
        probes.check("ssl options: JSON/inspect/template", renderings(connector.ssl));
        probes.check("toJSON / toBlockData", renderings(connector.toJSON()) + renderings(connector.toBlockData()));
        expect(connector.renderUrl()).toContain(":********@127.0.0.1:1/shop");
      }
      // Now make the real driver try (and fail): the pool's failure must not leak, nor
      // may the connector print differently afterwards.
      const error = await rejection(loaded.execute("SELECT 1"));
      expect(isSqlBlocksError(error), String(error)).toBe(true);
      probes.check("driver error: connection refused (closed port)", errorRenderings(error));
      probes.check("connector after a failed connection", renderings(loaded));
      const fetchError = await rejection(loaded.fetchMany("SELECT 1", {}, 1));
      probes.check("driver error: connection refused (fetch cursor)", errorRenderings(fetchError));
      await loaded.close();
    } finally {
      await store.close();
    }
  });
});

describe("canary: a flow run that uses the connectors and fails on purpose", () => {
  let result: ChildResult;

  beforeAll(async () => {
    result = await runFixture("flow-canary.mjs", ["canary-flow", "canary-local", ...SECRET_BLOCKS], {
      env: { SQLBLOCKS_HOME: home, SQLBLOCKS_LOGGING_LEVEL: "DEBUG" },
    });
  }, 300_000);

  it("prints no secret on the console (stdout and stderr)", () => {
    expect(result.code, result.stderr).toBe(1);
    // The run really did log the connectors (masked) and failed as planned.
    expect(result.stderr).toContain("failed on purpose after using postgresql+pg://app:********@127.0.0.1:1/shop");
    expect(result.stderr).toMatch(/connector SqlConnector/);
    expect(result.stdout).toContain("console.log:");
    expect(result.stderr).toMatch(/executeMany: INSERT INTO seen/);
    checkOutput("flow run console", result);
  });

  it("stores no secret in the run tables, the run history or the store's bytes", async () => {
    const db = new Database(storeFile, { readonly: true });
    try {
      for (const table of ["flow_runs", "task_runs", "run_logs"]) {
        const rows = db.prepare(`SELECT * FROM ${table}`).all();
        expect(rows.length, table).toBeGreaterThan(0);
        probes.check(`run records: ${table} table`, JSON.stringify(rows));
      }
    } finally {
      db.close();
    }
    const store = await BlockStore.open({ home, env: {} });
    try {
      const history = new RunHistory(store.db);
      const [run] = await history.listFlowRuns({ name: "canary-flow" });
      expect(run?.state).toBe("FAILED");
      // Connectors passed as parameters and returned: recorded by name, never with a secret.
      const [listed] = await history.listFlowRuns({ name: "canary-flow-params" });
      const withValues = await history.getFlowRun(listed!.id);
      expect(withValues?.state).toBe("COMPLETED");
      expect(JSON.parse(withValues!.parameters!)).toMatchObject({ db: { $block: `sql-connector/${SECRET_BLOCKS[0]}` }, unsaved: { $block: "sql-connector" } });
      expect(JSON.parse(withValues!.result!)).toMatchObject({ connector: { $block: `sql-connector/${SECRET_BLOCKS[0]}` } });
      probes.check("run history: recorded parameters and result", `${withValues!.parameters}\n${withValues!.result}`);
      const tasks = await history.listTaskRuns(run!.id);
      expect(tasks.filter((t) => t.name === "use-secret").every((t) => t.attempts === 2)).toBe(true);
      probes.check("run history: flow run", JSON.stringify(run));
      probes.check("run history: task runs", JSON.stringify(tasks));
      const logs = await history.logs(run!.id);
      expect(logs.some((l) => l.message.includes("connector SqlConnector"))).toBe(true);
      probes.check("run history: logs", JSON.stringify(logs));
    } finally {
      await store.close();
    }
    checkStoreBytes("after the flow run");
  });
});

describe("canary: every CLI command, as text and --json", () => {
  it("prints no secret anywhere", async () => {
    const runs = JSON.parse((await runCli(home, ["runs", "ls", "--json"])).stdout) as { id: string }[];
    const id = runs[0]!.id;
    const readOnly: string[][] = [
      ["block", "ls"],
      ["block", "types"],
      ...SECRET_BLOCKS.flatMap((name) => [
        ["block", "inspect", name],
        ["block", "inspect", `sql-connector/${name}`],
        ["block", "test", name, "--timeout-ms", "3000"],
      ]),
      ["block", "test", "canary-local"],
      ["runs", "ls"],
      ["runs", "show", id],
      ["runs", "show", id.slice(0, 8)],
      ["runs", "logs", id],
    ];
    const commands = readOnly.flatMap((args) => [args, [...args, "--json"]]);
    const results: [string, ChildResult][] = [];
    for (let i = 0; i < commands.length; i += 6) {
      const batch = commands.slice(i, i + 6);
      const done = await Promise.all(batch.map((args) => runCli(home, args)));
      for (const [j, args] of batch.entries()) results.push([args.join(" "), done[j]!]);
    }
    // Commands that take the secret in: from a URL (warned about) and from stdin.
    const encoded = encodeURIComponent(URL_PASSWORD_CANARY);
    const writes: [string, string[], string?][] = [
      ["block create --url", ["block", "create", "sql-connector", "cli-url", "--url", `postgres://app:${encoded}@127.0.0.1:1/shop`]],
      ["block create --url --json", ["block", "create", "sql-connector", "cli-url-json", "--url", `postgres://app:${encoded}@127.0.0.1:1/shop`, "--json"]],
      [
        "block create --password-stdin",
        ["block", "create", "sql-connector", "cli-stdin", "--driver", "mariadb", "--host", "127.0.0.1", "--port", "1", "--database", "shop", "--username", "app", "--password-stdin"],
        PASSWORD_CANARY,
      ],
      [
        "block create --password-stdin --json",
        ["block", "create", "sql-connector", "cli-stdin-json", "--url", "postgres://app@127.0.0.1:1/shop", "--password-stdin", "--json"],
        PASSWORD_CANARY,
      ],
      ["block create over an existing name", ["block", "create", "sql-connector", "cli-url", "--url", `postgres://app:${encoded}@127.0.0.1:1/shop`]],
      ["block create with a bad port", ["block", "create", "sql-connector", "cli-bad", "--url", `postgres://app:${encoded}@127.0.0.1:99999/shop`]],
      ["block create with a bad port --json", ["block", "create", "sql-connector", "cli-bad", "--url", `postgres://app:${encoded}@127.0.0.1:99999/shop`, "--json"]],
      ["block inspect cli-stdin --json", ["block", "inspect", "cli-stdin", "--json"]],
      ["block delete (no --yes)", ["block", "delete", "cli-url"]],
      ["block delete --yes", ["block", "delete", "cli-url", "--yes"]],
      ["block delete sql-connector/… --yes", ["block", "delete", "sql-connector/canary-pg-url", "--yes"]],
      ["block delete of a missing block", ["block", "delete", "canary-pg-url", "--yes"]],
    ];
    for (const [label, args, stdin] of writes) results.push([label, await runCli(home, args, stdin === undefined ? {} : { stdin })]);

    for (const [label, result] of results) checkOutput(`CLI ${label.replace(/canary-[a-z-]+|[0-9a-f][0-9a-f-]{7,}/g, "…")}`, result);
    // The commands did what they say (so the probes saw real output).
    const byLabel = new Map(results);
    expect(byLabel.get("block inspect canary-pg-url")!.stdout).toContain("postgresql+pg://app:********@127.0.0.1:1/shop");
    expect(byLabel.get("block test canary-pg-components --timeout-ms 3000")!.code).toBe(1);
    expect(byLabel.get("block test canary-local")!.code).toBe(0);
    expect(byLabel.get("block create --password-stdin")!.code).toBe(0);
    expect(byLabel.get("block delete --yes")!.code).toBe(0);
    expect(byLabel.get(`runs logs ${id}`)!.stdout).toContain("********");
    checkStoreBytes("after the CLI");
  }, 600_000);
});
