/**
 * Bad input, table-driven: malformed block names, URLs, drivers, parameters, SQL, oversized
 * values, NUL bytes and wrong types in block data. Each case must end in a typed error (a
 * SqlBlocksError with a stable code and a message that says what to do) or, where the input
 * is merely unusual, work correctly — and never crash or hang: every case has its own
 * timeout.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import {
  Block,
  BlockStore,
  isSqlBlocksError,
  registerDriver,
  SqlConnector,
  type SqlConnectorOptions,
} from "@sqlblocks/core";
import sqlitePlugin from "@sqlblocks/driver-sqlite";
import { flow, task } from "@sqlblocks/flow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runNode } from "./support/child.js";
import { packageRoot, tempDir } from "./support/env.js";

const CASE_TIMEOUT_MS = 5_000;
const home = tempDir("bad-input");
let store: BlockStore;
let db: SqlConnector;
const tally = { errors: 0, works: 0 };

beforeAll(async () => {
  registerDriver(sqlitePlugin);
  store = await BlockStore.open({ home, env: {} });
  db = new SqlConnector({ connectionInfo: "sqlite+better-sqlite3:///:memory:" });
  await db.execute("CREATE TABLE t (a TEXT)");
  await new SqlConnector({ connectionInfo: "sqlite+better-sqlite3:///:memory:" }).save("existing", { store });
});

afterAll(async () => {
  await db?.close();
  await store?.close();
  console.log(
    `[bad-input] ${CASES.length + WORKS.length} cases: ${tally.errors} typed errors, ${tally.works} worked correctly; no crash, no hang (each bounded by ${CASE_TIMEOUT_MS} ms)`,
  );
});

/** `new SqlConnector(options)` from untyped input, as JavaScript callers and stored data can produce. */
const connector = (options: unknown) => new SqlConnector(options as SqlConnectorOptions);
const sqlite = (extra: Record<string, unknown> = {}) => connector({ connectionInfo: "sqlite+better-sqlite3:///:memory:", ...extra });
/** Calls a method with arguments its types forbid. */
const untyped = (fn: unknown, ...args: unknown[]) => (fn as (...a: unknown[]) => unknown).apply(db, args);
/** Stores raw (decrypted) document text under a name, as a buggy or older writer might. */
async function storeRaw(name: string, text: string): Promise<void> {
  await store.writeDocument("sql-connector", name, { overwrite: true, typeName: "SQL Connector", schemaVersion: 1 }, () => text);
}

/** Stores raw document text, then loads it. */
async function loadRaw(name: string, text: string, validate = true): Promise<SqlConnector> {
  await storeRaw(name, text);
  return SqlConnector.load(name, { store, validate });
}

interface ErrorCase {
  group: string;
  input: string;
  run: () => unknown;
  code: string;
  /** What the message must say, so it helps. */
  message: RegExp;
}

const NAME_RULE = /lowercase letters, digits/;
const CASES: ErrorCase[] = [
  // ---------------------------------------------------------------- block names
  ...(
    [
      ["empty", ""],
      ["upper case", "Warehouse"],
      ["leading dash", "-warehouse"],
      ["leading underscore", "_warehouse"],
      ["space", "ware house"],
      ["slash", "ware/house"],
      ["dot dot slash", "../etc/passwd"],
      ["129 characters", "a".repeat(129)],
      ["non-ASCII", "lagerhäuser"],
      ["NUL byte", "ware\u0000house"],
      ["newline", "ware\nhouse"],
    ] as const
  ).map(([input, name]): ErrorCase => ({
    group: "block name (save)",
    input,
    run: () => sqlite().save(name, { store }),
    code: "SQLBLOCKS_INVALID_BLOCK_NAME",
    message: NAME_RULE,
  })),
  { group: "block name (save)", input: "a number", run: () => sqlite().save(42 as unknown as string, { store }), code: "SQLBLOCKS_INVALID_BLOCK_NAME", message: NAME_RULE },
  { group: "block name (save)", input: "undefined", run: () => sqlite().save(undefined as unknown as string, { store }), code: "SQLBLOCKS_INVALID_BLOCK_NAME", message: NAME_RULE },
  { group: "block name (save)", input: "suggests a valid name", run: () => sqlite().save("My Warehouse!", { store }), code: "SQLBLOCKS_INVALID_BLOCK_NAME", message: /try "my-warehouse"/ },
  { group: "block name (load)", input: "NUL byte", run: () => SqlConnector.load("a\u0000b", { store }), code: "SQLBLOCKS_INVALID_BLOCK_NAME", message: NAME_RULE },
  { group: "block name (load)", input: "slug on the typed class", run: () => SqlConnector.load("sql-connector/x/y", { store }), code: "SQLBLOCKS_INVALID_BLOCK_NAME", message: NAME_RULE },
  { group: "block name (delete)", input: "upper case", run: () => SqlConnector.delete("X", { store }), code: "SQLBLOCKS_INVALID_BLOCK_NAME", message: NAME_RULE },
  { group: "block reference", input: "no slug on Block.load", run: () => Block.load("warehouse", { store }), code: "SQLBLOCKS_BLOCK_TYPE_NOT_FOUND", message: /sql-connector\/<name>/ },
  { group: "block reference", input: "unknown slug", run: () => Block.load("no-such-type/warehouse", { store }), code: "SQLBLOCKS_BLOCK_TYPE_NOT_FOUND", message: /known types: sql-connector/ },
  { group: "block reference", input: "missing block", run: () => SqlConnector.load("missing", { store }), code: "SQLBLOCKS_BLOCK_NOT_FOUND", message: /no SQL Connector block named "missing" in the store at .*sqlblocks\.db/ },
  { group: "block reference", input: "existing name without overwrite", run: () => sqlite().save("existing", { store }), code: "SQLBLOCKS_BLOCK_EXISTS", message: /overwrite: true/ },

  // ---------------------------------------------------------------- URLs
  ...(
    [
      ["empty", "", "SQLBLOCKS_INVALID_URL", /must start with "dialect\+driver:\/\/"/],
      ["no scheme", "db.internal:5432/shop", "SQLBLOCKS_INVALID_URL", /dialect\+driver/],
      ["unknown scheme", "nosuchdb://db/shop", "SQLBLOCKS_UNKNOWN_DRIVER", /use one of postgresql\+pg/],
      ["http URL", "https://db.internal/shop", "SQLBLOCKS_UNKNOWN_DRIVER", /use one of/],
      ["port not a number", "postgresql+pg://db:abc/shop", "SQLBLOCKS_INVALID_URL", /port/],
      ["port 70000", "postgresql+pg://db:70000/shop", "SQLBLOCKS_INVALID_URL", /1 to 65535/],
      ["port 0", "postgresql+pg://db:0/shop", "SQLBLOCKS_INVALID_URL", /1 to 65535/],
      ["space in host", "postgresql+pg://bad host/shop", "SQLBLOCKS_INVALID_URL", /host/],
      ["NUL in host", "postgresql+pg://db\u0000x/shop", "SQLBLOCKS_INVALID_URL", /host/],
      ["fragment", "postgresql+pg://db/shop#frag", "SQLBLOCKS_INVALID_URL", /%23/],
      ["bad percent-encoding", "postgresql+pg://app:%zz@db/shop", "SQLBLOCKS_INVALID_URL", /percent-encoded/],
      ["unclosed IPv6", "postgresql+pg://[::1/shop", "SQLBLOCKS_INVALID_URL", /IPv6/],
      ["two colons in host", "postgresql+pg://::1:5432/shop", "SQLBLOCKS_INVALID_URL", /brackets/],
      ["unencoded slash in password", "postgresql+pg://app:pa/ss@db/shop", "SQLBLOCKS_INVALID_URL", /percent-encode/],
    ] as const
  ).map(([input, url, code, message]): ErrorCase => ({ group: "URL", input, run: () => connector({ connectionInfo: url }), code, message })),

  // ---------------------------------------------------------------- drivers
  { group: "driver", input: "unknown name", run: () => connector({ connectionInfo: { driver: "oracle+jdbc" } }), code: "SQLBLOCKS_UNKNOWN_DRIVER", message: /use one of/ },
  { group: "driver", input: "empty", run: () => connector({ connectionInfo: { driver: "" } }), code: "SQLBLOCKS_INVALID_CONNECTION_INFO", message: /driver is required/ },
  { group: "driver", input: "a number", run: () => connector({ connectionInfo: { driver: 42 } }), code: "SQLBLOCKS_INVALID_CONNECTION_INFO", message: /driver must be a string/ },
  {
    group: "driver",
    input: "package not installed (mssql)",
    run: () => inChild(`await new SqlConnector({ connectionInfo: "mssql+tedious://sa@db/shop" }).execute("SELECT 1")`),
    code: "SQLBLOCKS_DRIVER_NOT_INSTALLED",
    message: /this connector uses driver mssql\+tedious[\s\S]*(?:pnpm add|npm install|yarn add|bun add) @sqlblocks\/driver-mssql/,
  },
  {
    group: "driver",
    input: "package not installed (oracle, loaded block)",
    run: async () => {
      await connector({ connectionInfo: "oracle+cx_oracle://scott@db/orcl" }).save("oracle-block", { store, overwrite: true });
      return inChild(`await (await SqlConnector.load("oracle-block")).execute("SELECT 1 FROM dual")`);
    },
    code: "SQLBLOCKS_DRIVER_NOT_INSTALLED",
    message: /block "oracle-block" uses driver oracle\+oracledb[\s\S]*(?:pnpm add|npm install|yarn add|bun add) @sqlblocks\/driver-oracle/,
  },

  // ---------------------------------------------------------------- connection info / block data
  { group: "block data", input: "connectionInfo missing", run: () => connector({}), code: "SQLBLOCKS_INVALID_CONNECTION_INFO", message: /must be an object like \{ driver, host, port, database \}/ },
  { group: "block data", input: "connectionInfo null", run: () => connector({ connectionInfo: null }), code: "SQLBLOCKS_INVALID_CONNECTION_INFO", message: /must be an object/ },
  { group: "block data", input: "connectionInfo a number", run: () => connector({ connectionInfo: 5432 }), code: "SQLBLOCKS_INVALID_CONNECTION_INFO", message: /must be an object/ },
  { group: "block data", input: "port 70000", run: () => connector({ connectionInfo: { driver: "postgresql+pg", port: 70000 } }), code: "SQLBLOCKS_INVALID_CONNECTION_INFO", message: /1 to 65535/ },
  { group: "block data", input: "port 1.5", run: () => connector({ connectionInfo: { driver: "postgresql+pg", port: 1.5 } }), code: "SQLBLOCKS_INVALID_CONNECTION_INFO", message: /whole number/ },
  { group: "block data", input: "port 'abc'", run: () => connector({ connectionInfo: { driver: "postgresql+pg", port: "abc" } }), code: "SQLBLOCKS_INVALID_CONNECTION_INFO", message: /port/ },
  { group: "block data", input: "password a number", run: () => connector({ connectionInfo: { driver: "postgresql+pg", password: 42 } }), code: "SQLBLOCKS_INVALID_CONNECTION_INFO", message: /password must be a string or a Secret/ },
  { group: "block data", input: "query value a number", run: () => connector({ connectionInfo: { driver: "postgresql+pg", query: { sslmode: 1 } } }), code: "SQLBLOCKS_INVALID_CONNECTION_INFO", message: /must be a string/ },
  { group: "block data", input: "NUL in host", run: () => connector({ connectionInfo: { driver: "postgresql+pg", host: "db\u0000x" } }), code: "SQLBLOCKS_INVALID_CONNECTION_INFO", message: /host/ },
  { group: "block data", input: "fetchSize -1", run: () => sqlite({ fetchSize: -1 }), code: "SQLBLOCKS_INVALID_PARAMETERS", message: /fetchSize must be a positive integer/ },
  { group: "block data", input: "fetchSize 'abc'", run: () => sqlite({ fetchSize: "abc" }), code: "SQLBLOCKS_INVALID_PARAMETERS", message: /fetchSize must be a positive integer/ },
  { group: "block data", input: "fetchSize 0.5", run: () => sqlite({ fetchSize: 0.5 }), code: "SQLBLOCKS_INVALID_PARAMETERS", message: /fetchSize must be a positive integer/ },
  { group: "block data", input: "pool.max 0 (save)", run: () => sqlite({ pool: { max: 0 } }).save("pool-zero", { store }), code: "SQLBLOCKS_BLOCK_INVALID", message: /pool\.max/ },
  { group: "block data", input: "pool 'abc' (save)", run: () => sqlite({ pool: "abc" }).save("pool-abc", { store }), code: "SQLBLOCKS_BLOCK_INVALID", message: /pool/ },
  { group: "block data", input: "ssl.key a number (save)", run: () => sqlite({ ssl: { key: 42 } }).save("ssl-key", { store }), code: "SQLBLOCKS_BLOCK_INVALID", message: /ssl/ },
  { group: "block data", input: "connectArgs a string (save)", run: () => sqlite({ connectArgs: "x" }).save("args", { store }), code: "SQLBLOCKS_BLOCK_INVALID", message: /connectArgs/ },
  { group: "block data", input: "maxOpenCursors 0 (save)", run: () => sqlite({ maxOpenCursors: 0 }).save("cursors", { store }), code: "SQLBLOCKS_BLOCK_INVALID", message: /maxOpenCursors/ },
  { group: "NUL byte", input: "in a block's password", run: () => connector({ connectionInfo: { driver: "postgresql+pg", host: "db", password: "p\u0000w" } }), code: "SQLBLOCKS_INVALID_CONNECTION_INFO", message: /password must not contain a NUL character/ },
  { group: "NUL byte", input: "in SQL text (SQLite would drop what follows)", run: () => db.execute("SELECT 1 AS one\u0000; DELETE FROM t"), code: "SQLBLOCKS_INVALID_PARAMETERS", message: /NUL character/ },
  { group: "NUL byte", input: "in a SQLite database path", run: () => connector({ connectionInfo: { driver: "sqlite+better-sqlite3", database: `${home}/a\u0000b.db` } }), code: "SQLBLOCKS_INVALID_CONNECTION_INFO", message: /database must not contain a NUL character/ },
  { group: "block data", input: "pool.max 0 (constructor)", run: () => sqlite({ pool: { max: 0 } }), code: "SQLBLOCKS_BLOCK_INVALID", message: /pool\.max/ },
  { group: "block data", input: "no options at all", run: () => new (SqlConnector as unknown as new () => SqlConnector)(), code: "SQLBLOCKS_INVALID_CONNECTION_INFO", message: /needs \{ connectionInfo \}/ },
  { group: "block data", input: "stored document that is not JSON", run: () => loadRaw("stored-garbage", "{not json"), code: "SQLBLOCKS_BLOCK_INVALID", message: /not readable JSON/ },
  { group: "block data", input: "maxOpenCursors 0", run: () => sqlite({ maxOpenCursors: 0 }), code: "SQLBLOCKS_BLOCK_INVALID", message: /maxOpenCursors/ },
  {
    group: "block data",
    input: "stored fetchSize -1 (load)",
    run: async () => {
      await storeRaw("stored-bad", JSON.stringify({ connectionInfo: { driver: "sqlite+better-sqlite3" }, fetchSize: -1 }));
      return SqlConnector.load("stored-bad", { store });
    },
    code: "SQLBLOCKS_BLOCK_INVALID",
    message: /fetchSize.*\{ validate: false \}/,
  },
  { group: "block data", input: "stored null (load)", run: () => loadRaw("stored-null", "null"), code: "SQLBLOCKS_BLOCK_INVALID", message: /expected object/ },
  {
    group: "block data",
    input: "stored without connectionInfo (load, validate: false)",
    run: () => loadRaw("stored-empty", "{}", false),
    code: "SQLBLOCKS_INVALID_CONNECTION_INFO",
    message: /must be an object/,
  },
  {
    group: "block data",
    input: "wrong encryption key",
    run: async () => {
      const other = await BlockStore.open({ home, env: { SQLBLOCKS_ENCRYPTION_KEY: Buffer.alloc(32, 9).toString("base64") } });
      try {
        return await SqlConnector.load("existing", { store: other });
      } finally {
        await other.close();
      }
    },
    code: "SQLBLOCKS_ENCRYPTION_KEY",
    message: /not the key this store was written with/,
  },
  {
    group: "block data",
    input: "malformed encryption key",
    run: async () => {
      const other = await BlockStore.open({ home, env: { SQLBLOCKS_ENCRYPTION_KEY: "not-base64!" } });
      try {
        return await SqlConnector.load("existing", { store: other });
      } finally {
        await other.close();
      }
    },
    code: "SQLBLOCKS_ENCRYPTION_KEY",
    message: /openssl rand -base64 32/,
  },

  // ---------------------------------------------------------------- parameters
  { group: "parameters", input: "missing", run: () => db.execute("SELECT :a, :b", { a: 1 }), code: "SQLBLOCKS_MISSING_PARAMETERS", message: /:b/ },
  { group: "parameters", input: "undefined value", run: () => db.execute("SELECT :a", { a: undefined }), code: "SQLBLOCKS_MISSING_PARAMETERS", message: /:a/ },
  { group: "parameters", input: "none at all", run: () => db.execute("SELECT :a"), code: "SQLBLOCKS_MISSING_PARAMETERS", message: /:a/ },
  { group: "parameters", input: "null instead of an object", run: () => untyped(db.execute, "SELECT :a", null), code: "SQLBLOCKS_MISSING_PARAMETERS", message: /:a/ },
  { group: "parameters", input: "a Map", run: () => db.execute("SELECT :a", new Map([["a", 1]])), code: "SQLBLOCKS_INVALID_PARAMETERS", message: /pass an object such as \{ a: … \}, not a Map/ },
  { group: "parameters", input: "a Date", run: () => db.execute("SELECT :a", new Date()), code: "SQLBLOCKS_INVALID_PARAMETERS", message: /not a Date/ },
  { group: "parameters", input: "a class instance", run: () => db.execute("SELECT :a", new (class Customer { a = 1 })()), code: "SQLBLOCKS_INVALID_PARAMETERS", message: /not a Customer/ },
  { group: "parameters", input: "a function", run: () => db.execute("SELECT :a", () => ({ a: 1 })), code: "SQLBLOCKS_INVALID_PARAMETERS", message: /not a function/ },
  { group: "parameters", input: "a number", run: () => untyped(db.execute, "SELECT :a", 42), code: "SQLBLOCKS_INVALID_PARAMETERS", message: /not a number/ },
  { group: "parameters", input: "a string", run: () => untyped(db.execute, "SELECT :a", "a"), code: "SQLBLOCKS_INVALID_PARAMETERS", message: /not a string/ },
  { group: "parameters", input: "a function as a value", run: () => db.execute("SELECT :a", { a: () => 1 }), code: "SQLBLOCKS_DATABASE", message: /can only bind/ },
  { group: "parameters", input: "a Symbol as a value", run: () => db.execute("SELECT :a", { a: Symbol("a") }), code: "SQLBLOCKS_DATABASE", message: /can only bind/ },
  { group: "parameters", input: "a Map as a value", run: () => db.execute("SELECT :a", { a: new Map() }), code: "SQLBLOCKS_DATABASE", message: /can only bind/ },
  { group: "parameters", input: "a bigint beyond 64 bits", run: () => db.execute("SELECT :a", { a: 2n ** 70n }), code: "SQLBLOCKS_DATABASE", message: /too big/ },
  { group: "parameters", input: "too few positional values", run: () => db.execute("SELECT ?, ?", [1]), code: "SQLBLOCKS_DATABASE", message: /Too few parameter values/ },
  { group: "parameters", input: "executeMany of an object", run: () => untyped(db.executeMany, "INSERT INTO t (a) VALUES (:a)", { a: 1 }), code: "SQLBLOCKS_INVALID_PARAMETERS", message: /array of parameter sets/ },
  { group: "parameters", input: "executeMany with a number set", run: () => untyped(db.executeMany, "INSERT INTO t (a) VALUES (:a)", [{ a: 1 }, 42]), code: "SQLBLOCKS_INVALID_PARAMETERS", message: /parameter set 1/ },
  { group: "parameters", input: "executeMany missing in set 2", run: () => db.executeMany("UPDATE t SET a = :a WHERE a = :b", [{ a: 1, b: 1 }, { a: 2, b: 2 }, { a: 3 }]), code: "SQLBLOCKS_MISSING_PARAMETERS", message: /:b in parameter set 2/ },
  { group: "parameters", input: "fetchMany size 1.5", run: () => db.fetchMany("SELECT 1", {}, 1.5), code: "SQLBLOCKS_INVALID_PARAMETERS", message: /size must be a positive integer/ },
  { group: "parameters", input: "fetchMany size -3", run: () => db.fetchMany("SELECT 1", {}, -3), code: "SQLBLOCKS_INVALID_PARAMETERS", message: /size must be a positive integer/ },
  {
    group: "parameters",
    input: "stream chunkSize 0",
    run: async () => {
      for await (const _chunk of db.stream("SELECT 1", {}, { chunkSize: 0 })) {
        // never reached
      }
    },
    code: "SQLBLOCKS_INVALID_PARAMETERS",
    message: /chunkSize must be a positive integer/,
  },

  // ---------------------------------------------------------------- SQL
  { group: "SQL", input: "empty", run: () => db.execute(""), code: "SQLBLOCKS_INVALID_PARAMETERS", message: /sql must be a non-empty string/ },
  { group: "SQL", input: "whitespace", run: () => db.execute("  \n\t "), code: "SQLBLOCKS_INVALID_PARAMETERS", message: /non-empty string/ },
  { group: "SQL", input: "a number", run: () => untyped(db.execute, 42), code: "SQLBLOCKS_INVALID_PARAMETERS", message: /non-empty string/ },
  { group: "SQL", input: "undefined (fetchAll)", run: () => untyped(db.fetchAll), code: "SQLBLOCKS_INVALID_PARAMETERS", message: /non-empty string/ },
  { group: "SQL", input: "an object (executeMany)", run: () => untyped(db.executeMany, { sql: "SELECT 1" }, [{}]), code: "SQLBLOCKS_INVALID_PARAMETERS", message: /non-empty string/ },
  { group: "SQL", input: "syntax error", run: () => db.execute("SELEC 1"), code: "SQLBLOCKS_SQL_SYNTAX", message: /syntax error — while running: SELEC 1/ },
  { group: "SQL", input: "unterminated string", run: () => db.execute("SELECT 'abc"), code: "SQLBLOCKS_SQL_SYNTAX", message: /unrecognized token/ },
  { group: "SQL", input: "unknown table", run: () => db.fetchAll("SELECT * FROM no_such_table"), code: "SQLBLOCKS_DATABASE", message: /no such table: no_such_table/ },
  { group: "SQL", input: "two statements", run: () => db.execute("SELECT 1; SELECT 2"), code: "SQLBLOCKS_DATABASE", message: /more than one statement/ },
  { group: "SQL", input: "syntax error in a transaction", run: () => db.transaction((tx) => tx.execute("SELEC 1")), code: "SQLBLOCKS_SQL_SYNTAX", message: /syntax error/ },

  // ---------------------------------------------------------------- flows and tasks
  { group: "flow options", input: "retries -1", run: () => flow({ name: "f", retries: -1 }, async () => 1), code: "SQLBLOCKS_INVALID_RUN_OPTIONS", message: /retries must be a whole number/ },
  { group: "flow options", input: "timeoutMs 0", run: () => task({ name: "t", timeoutMs: 0 }, async () => 1), code: "SQLBLOCKS_INVALID_RUN_OPTIONS", message: /timeoutMs must be a number > 0/ },
  { group: "flow options", input: "no function", run: () => (flow as unknown as (name: string) => unknown)("f"), code: "SQLBLOCKS_INVALID_RUN_OPTIONS", message: /needs a function/ },
  { group: "flow options", input: "retryDelayMs NaN", run: () => task({ name: "t", retryDelayMs: [10, Number.NaN] }, async () => 1), code: "SQLBLOCKS_INVALID_RUN_OPTIONS", message: /retryDelayMs\[1\]/ },
];

/** Unusual input that must simply work, exactly. */
const WORKS: { group: string; input: string; run: () => Promise<void> }[] = [
  {
    group: "parameters",
    // Since the connector-internals work: 0 means "the connector's fetchSize", as in Python.
    input: "fetchMany size 0 pages by fetchSize",
    run: async () => {
      const rows = await db.fetchMany("SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3", {}, 0);
      expect(rows).toHaveLength(db.fetchSize);
      await db.resetConnections();
    },
  },
  {
    group: "oversized",
    input: "a 10 MB string parameter round-trips on SQLite",
    run: async () => {
      const big = "ü".repeat(5_000_000);
      const [row] = (await db.execute<{ a: string; n: number }>("SELECT :a AS a, length(:a) AS n", { a: big })).rows;
      expect(row!.n).toBe(5_000_000);
      expect(row!.a === big).toBe(true);
    },
  },
  {
    group: "oversized",
    input: "a 10 MB string stored and read back through executeMany",
    run: async () => {
      const big = "x".repeat(10_000_000);
      await db.executeMany("INSERT INTO t (a) VALUES (:a)", [{ a: big }, { a: "small" }]);
      const [row] = await db.fetchAll<{ n: number }>("SELECT max(length(a)) AS n FROM t");
      expect(row!.n).toBe(10_000_000);
      await db.execute("DELETE FROM t");
    },
  },
  {
    group: "oversized",
    input: "a 2 MB SQL text",
    run: async () => {
      const literal = "y".repeat(2_000_000);
      expect((await db.fetchAll<{ n: number }>(`SELECT length('${literal}') AS n`))[0]!.n).toBe(2_000_000);
    },
  },
  {
    group: "NUL byte",
    input: "in a parameter value: bound exactly",
    run: async () => {
      const [row] = (await db.execute<{ a: string; n: number }>("SELECT :a AS a, length(CAST(:a AS BLOB)) AS n", { a: "a\u0000b" })).rows;
      expect(row).toEqual({ a: "a\u0000b", n: 3 });
    },
  },
  {
    group: "parameters",
    input: "unused extra keys are ignored",
    run: async () => {
      expect((await db.execute("SELECT :a AS a", { a: 1, unused: new Map() })).rows).toEqual([{ a: 1 }]);
    },
  },
  {
    group: "parameters",
    input: "a parameter named like an Object method binds its own value",
    run: async () => {
      expect((await db.execute("SELECT :constructor AS c, :toString AS s", { constructor: 1, toString: 2 })).rows).toEqual([{ c: 1, s: 2 }]);
      expect(await db.execute("SELECT :constructor AS c", {}).catch((e: unknown) => (e as { code?: string }).code)).toBe("SQLBLOCKS_MISSING_PARAMETERS");
    },
  },
];

/**
 * Runs `code` in a plain Node process from this package's folder, where driver packages
 * resolve as in an application (inside vitest every workspace package is reachable), and
 * rethrows its error with code and message.
 */
async function inChild(code: string): Promise<void> {
  const script = `import { SqlConnector } from "@sqlblocks/core";
try { ${code}; } catch (error) { process.stdout.write(JSON.stringify({ code: error.code, message: error.message, brand: error[Symbol.for("sqlblocks.error")] })); }`;
  const result = await runNode("--input-type=module", ["-e", script], { env: { SQLBLOCKS_HOME: home }, timeoutMs: CASE_TIMEOUT_MS });
  if (result.stdout === "") return;
  const { code: errorCode, message, brand } = JSON.parse(result.stdout) as { code: string; message: string; brand: boolean };
  throw Object.assign(new Error(message), { code: errorCode, [Symbol.for("sqlblocks.error")]: brand });
}

async function outcome(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("bad input ends in a typed error with a helpful message", () => {
  it.for(CASES.map((c) => [`${c.group}: ${c.input}`, c] as const))("%s", { timeout: CASE_TIMEOUT_MS }, async ([, testCase]) => {
    const error = await outcome(testCase.run);
    expect(error, "expected an error").toBeDefined();
    expect(isSqlBlocksError(error), `not a SqlBlocksError: ${String(error)}`).toBe(true);
    const { code, message } = error as { code: string; message: string };
    expect(code).toBe(testCase.code);
    expect(message).toMatch(testCase.message);
    expect(message.length).toBeLessThan(1_000);
    tally.errors++;
  });
});

describe("unusual but valid input works", () => {
  it.for(WORKS.map((c) => [`${c.group}: ${c.input}`, c] as const))("%s", { timeout: CASE_TIMEOUT_MS * 2 }, async ([, testCase]) => {
    await testCase.run();
    tally.works++;
  });
});


describe("the README", () => {
  it("states the counts of these cases and of known gaps (`it.fails`) as they are", () => {
    const readme = readFileSync(path.join(packageRoot, "README.md"), "utf8");
    expect(readme).toContain(`${CASES.length + WORKS.length} table-driven cases (${CASES.length} end in a typed error, ${WORKS.length} unusual-but-valid inputs work)`);
    // Known gaps would be marked it.fails; count them in every test file of this package.
    const marker = new RegExp(`\\b(?:it|test)\\.${"fails"}\\s*[(.]`, "g");
    const testDir = path.join(packageRoot, "test");
    const files = readdirSync(testDir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
    const fails = files.reduce((n, f) => n + (readFileSync(path.join(testDir, f), "utf8").match(marker)?.length ?? 0), 0);
    expect(readme).toContain(fails === 0 ? "no known gap marked `it.fails`" : `${fails} known gap${fails === 1 ? "" : "s"} marked \`it.fails\``);
  });
});
