import { createHash } from "node:crypto";
import { StoreError } from "../errors.js";
import type { StoreDatabase } from "./database.js";

/** The parts of `pg` the store uses (resolved from the application at open time). */
export interface PgModule {
  Pool: new (config: Record<string, unknown>) => PgPool;
}
interface PgQueryResult {
  rows: Record<string, unknown>[];
  rowCount: number | null;
}
interface PgQuery {
  text: string;
  values: unknown[];
  name?: string;
}
interface PgClient {
  query(sql: string | PgQuery, params?: unknown[]): Promise<PgQueryResult>;
  release(error?: Error | boolean): void;
}
interface PgPool {
  query(sql: string | PgQuery, params?: unknown[]): Promise<PgQueryResult>;
  connect(): Promise<PgClient>;
  end(): Promise<void>;
  on(event: "error", listener: (error: Error) => void): unknown;
}

/** Where a PostgreSQL store lives. */
export interface PostgresStoreConfig {
  host: string;
  port: number;
  database: string;
  user: string;
  /** Kept only in the pool's configuration; never shown. */
  password?: string | undefined;
  /** The schema that holds the store's tables (created if missing). */
  schema: string;
  ssl?: boolean | Record<string, unknown> | undefined;
  /** Connections per process (default 4). */
  maxConnections?: number | undefined;
  /** Give up connecting after this long (default 5 s). */
  connectTimeoutMs?: number | undefined;
}

/** SQLSTATEs and socket codes that mean the store cannot be reached or entered at all. */
const CONNECT_FAILURES = new Set([
  "28P01", // invalid_password
  "28000", // invalid_authorization_specification
  "3D000", // invalid_catalog_name (no such database)
  "57P03", // cannot_connect_now
  "53300", // too_many_connections
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ECONNRESET",
]);

/** `?` placeholders to `$1…$n`, leaving quoted text alone. */
export function toPostgresPlaceholders(sql: string): string {
  let out = "";
  let n = 0;
  let quote: string | undefined;
  for (const char of sql) {
    if (quote) {
      if (char === quote) quote = undefined;
      out += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      out += char;
    } else if (char === "?") {
      out += `$${++n}`;
    } else {
      out += char;
    }
  }
  return out;
}

function toPostgres(params: readonly unknown[]): unknown[] {
  return params.map((value) => (value === undefined ? null : value instanceof Date ? value.toISOString() : value));
}

/** A 31-bit key for the store's advisory lock, one per schema. */
function lockKey(schema: string): number {
  let hash = 5381;
  for (const char of `sqlblocks:${schema}`) hash = ((hash * 33) ^ char.charCodeAt(0)) | 0;
  return hash & 0x7fffffff;
}

/**
 * The shared store on PostgreSQL through `pg`: a small pool, the tables in their own schema
 * (`search_path` is set on every connection). Write transactions take one
 * transaction-scoped advisory lock per schema, so they serialise across processes and
 * machines as SQLite's `BEGIN IMMEDIATE` does, and migrations run once.
 */
export class PostgresStoreDatabase implements StoreDatabase {
  readonly location: string;
  readonly dialect = "postgres" as const;
  readonly engine = "postgres" as const;
  readonly schema: string;
  readonly #pool: PgPool;
  readonly #password: string | undefined;
  readonly #begin: string;
  #closed = false;
  #schemaReady = false;
  readonly #texts = new Map<string, { text: string; name: string | undefined }>();

  constructor(pg: PgModule, config: PostgresStoreConfig) {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(config.schema)) {
      throw new StoreError(
        `store schema ${JSON.stringify(config.schema)} is not a plain identifier: use letters, digits and _ (default sqlblocks)`,
      );
    }
    this.schema = config.schema;
    this.#password = config.password;
    const host = config.host.includes(":") ? `[${config.host}]` : config.host;
    this.location = `postgresql://${encodeURIComponent(config.user)}@${host}:${config.port}/${encodeURIComponent(config.database)} (schema ${config.schema})`;
    this.#begin = `BEGIN; SELECT pg_advisory_xact_lock(${lockKey(config.schema)})`;
    this.#pool = new pg.Pool({
      host: config.host,
      port: config.port,
      database: config.database,
      user: config.user,
      password: config.password,
      ssl: config.ssl,
      max: config.maxConnections ?? 4,
      connectionTimeoutMillis: config.connectTimeoutMs ?? 5_000,
      idleTimeoutMillis: 10_000,
      // An idle store must not keep a finished CLI command or script alive.
      allowExitOnIdle: true,
      options: `-c search_path=${config.schema}`,
      application_name: "sqlblocks-store",
    });
    // A pooled connection that dies while idle is replaced on next use; never crash for it.
    this.#pool.on("error", () => undefined);
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<{ changes: number }> {
    const result = await this.#query(this.#pool, sql, params);
    return { changes: result.rowCount ?? 0 };
  }

  async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.#query(this.#pool, sql, params)).rows as T[];
  }

  async get<T>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    return (await this.#query(this.#pool, sql, params)).rows[0] as T | undefined;
  }

  async transaction<T>(fn: (tx: StoreDatabase) => Promise<T>): Promise<T> {
    const client = await this.#connect();
    let broken = false;
    try {
      await this.#query(client, this.#begin, []);
      if (!this.#schemaReady) {
        // Under the store's lock, so concurrent first openers do not race to create it.
        const found = await this.#query(client, "SELECT 1 FROM pg_namespace WHERE nspname = ?", [this.schema]);
        if (found.rows.length === 0) await this.#query(client, `CREATE SCHEMA "${this.schema}"`, []);
        this.#schemaReady = true;
      }
      const tx: StoreDatabase = {
        location: this.location,
        dialect: this.dialect,
        engine: this.engine,
        run: async (sql, params = []) => ({ changes: (await this.#query(client, sql, params)).rowCount ?? 0 }),
        all: async <R>(sql: string, params: readonly unknown[] = []) =>
          (await this.#query(client, sql, params)).rows as R[],
        get: async <R>(sql: string, params: readonly unknown[] = []) =>
          (await this.#query(client, sql, params)).rows[0] as R | undefined,
        transaction: (inner) => inner(tx),
        close: async () => {},
      };
      try {
        const result = await fn(tx);
        await this.#query(client, "COMMIT", []);
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {
          broken = true;
        });
        throw error;
      }
    } catch (error) {
      if (error instanceof StoreError && CONNECT_FAILURES.has(String((error.cause as { code?: string })?.code))) {
        broken = true;
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  async #connect(): Promise<PgClient> {
    try {
      return await this.#pool.connect();
    } catch (error) {
      throw this.#wrap(error, undefined);
    }
  }

  async #query(on: PgPool | PgClient, sql: string, params: readonly unknown[]): Promise<PgQueryResult> {
    if (this.#closed) throw new StoreError(`the block store ${this.location} is closed`);
    try {
      return await on.query(this.#prepared(sql, params));
    } catch (error) {
      throw this.#wrap(error, sql);
    }
  }

  /**
   * The statement to send. Short parameterised DML without `*` becomes a named prepared
   * statement (parsed and planned once per connection): block loads and run writes repeat
   * a handful of them. Statements with `*` stay unnamed, since a column added by a newer
   * migration would change their result type under a cached plan.
   */
  #prepared(sql: string, params: readonly unknown[]): PgQuery {
    const cached = this.#texts.get(sql);
    const text = cached?.text ?? toPostgresPlaceholders(sql);
    let name = cached?.name;
    if (!cached) {
      const nameable = params.length > 0 && params.length <= 64 && !sql.includes("*") && /^\s*(SELECT|INSERT|UPDATE|DELETE)\b/i.test(sql);
      name = nameable ? `sqlblocks_${createHash("sha1").update(text).digest("hex").slice(0, 20)}` : undefined;
      if (this.#texts.size < 500) this.#texts.set(sql, { text, name });
    }
    const query: PgQuery = { text, values: toPostgres(params) };
    if (name) query.name = name;
    return query;
  }

  #wrap(error: unknown, sql: string | undefined): StoreError {
    const err = error as { code?: string; message?: string };
    let message = String(err.message ?? error);
    if (this.#password) message = message.split(this.#password).join("***");
    const code = err.code ?? "error";
    if (CONNECT_FAILURES.has(code) || /timeout exceeded when trying to connect|Connection terminated/i.test(message)) {
      return new StoreError(
        `cannot connect to the block store at ${this.location} (${code}: ${message}): check SQLBLOCKS_STORE_URL (host, port, user, password, database) and that the server is up`,
        { cause: error },
      );
    }
    return new StoreError(
      `block store ${this.location} failed (${code}: ${message})${sql ? ` on: ${sql.trim().split("\n")[0]}` : ""}`,
      { cause: error },
    );
  }
}
