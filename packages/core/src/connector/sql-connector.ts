import { inspect } from "node:util";
import type { DataSource, QueryRunner } from "typeorm";
import type { IsolationLevel } from "typeorm/driver/types/IsolationLevel.js";
import { Block, type BlockTypeDefinition, registerBlockType } from "../blocks/block.js";
import { maskBlockData } from "../blocks/serialize.js";
import type { DriverPlugin, Row, SslOptions } from "../driver/contract.js";
import { loadDriverPlugin } from "../driver/registry.js";
import {
  BlockValidationError,
  InvalidConnectionInfoError,
  InvalidParametersError,
  MissingParametersError,
  type SqlBlocksError,
  TooManyCursorsError,
} from "../errors.js";
import { bindParameters, type CompiledSql, compileSql, planInsertBatch } from "../params/index.js";
import { isSecret, revealSecret, Secret } from "../secret/secret.js";
import type { ConnectionComponents } from "../url/components.js";
import { StatementTelemetry } from "../telemetry/statement.js";
import { normalizeComponents, parseConnectionUrl, renderConnectionUrl } from "../url/index.js";
import { OpenCursor } from "./cursor.js";
import { publishStatement } from "./events.js";
import { Mutex } from "./mutex.js";
import { type ConnectionInfo, type SqlConnectorOptions, sqlConnectorSchema } from "./options.js";
import { Redactor } from "./redact.js";
import { wrapDatabaseError } from "./wrap-error.js";

/**
 * Named parameters for `:name` placeholders — any object, typed interfaces included
 * (`executeMany(sql, customers)`) — or an array of positional values for the driver's own
 * placeholders (`$1`, `?`). What is not a plain object or array is rejected at run time.
 */
export type Params = object;

/** What `execute` returns. */
export interface ExecuteResult<T extends Row = Row> {
  /** Rows affected (DML) or returned (queries). */
  rowCount: number;
  /** Rows from RETURNING / OUTPUT / SELECT; empty otherwise. */
  rows: T[];
}

/** Options of {@link SqlConnector.stream}. */
export interface StreamOptions {
  /** Rows per chunk (default 1,000). */
  chunkSize?: number;
}

/** Options of {@link SqlConnector.transaction}. */
export interface TransactionOptions {
  isolationLevel?: IsolationLevel;
}

/** The statements a transaction callback can run, all on the transaction's connection. */
export interface TransactionScope {
  execute<T extends Row = Row>(sql: string, params?: Params): Promise<ExecuteResult<T>>;
  executeMany(sql: string, paramsList: readonly Params[]): Promise<ExecuteResult>;
  fetchOne<T extends Row = Row>(sql: string, params?: Params): Promise<T | undefined>;
  fetchMany<T extends Row = Row>(sql: string, params?: Params, size?: number): Promise<T[]>;
  fetchAll<T extends Row = Row>(sql: string, params?: Params): Promise<T[]>;
}

interface Ready {
  plugin: DriverPlugin;
  dataSource: DataSource;
  /** Operations using the pool right now: close() waits for them before destroying it. */
  users: number;
  /** Set by close(): new operations get a fresh pool instead. */
  closing: boolean;
  drained?: () => void;
}

interface Compiled {
  sql: string;
  values: readonly unknown[];
}

const DEFAULT_MAX_OPEN_CURSORS = 8;
/** Set while `Block.load(…, { validate: false })` rebuilds a connector: it loads what it can. */
let loadingUnvalidated = false;
const DEFAULT_MAX_ROWS_PER_INSERT = 1000;
const FETCH_ALL_CHUNK = 10_000;
/** How many exhausted results are remembered; the oldest is forgotten first. */
const MAX_EXHAUSTED_KEYS = 10_000;

function isNamedParams(params: Params | undefined): params is Readonly<Record<string, unknown>> | undefined {
  return !Array.isArray(params);
}

function isPositional(params: Params | undefined): params is readonly unknown[] {
  return Array.isArray(params);
}

/** A stable text key for a parameter object (key order does not matter). */
function paramsKey(params: Params | undefined): string {
  // No parameters and an empty object are the same query.
  if (params === undefined || (!Array.isArray(params) && Object.keys(params).length === 0)) return "";
  const seen = new WeakSet<object>();
  return JSON.stringify(params, (_key, value: unknown) => {
    if (typeof value === "bigint") return `${value}n`;
    if (value instanceof Date) return `D${value.toISOString()}`;
    if (typeof value === "object" && value !== null) {
      if (seen.has(value)) return "[cycle]";
      seen.add(value);
      if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `B${Buffer.from(value as Uint8Array).toString("base64")}`;
      if (!Array.isArray(value)) {
        return Object.fromEntries(Object.keys(value).sort().map((k) => [k, (value as Record<string, unknown>)[k]]));
      }
    }
    return value;
  });
}

async function release(plugin: DriverPlugin, session: QueryRunner, broken?: unknown): Promise<void> {
  if (session.isReleased) return;
  const error = broken instanceof Error ? broken : undefined;
  // A connection that failed must leave the pool, not serve the next statement: drivers whose
  // TypeORM query runner drops release()'s argument say how through releaseBroken.
  const released =
    error !== undefined && plugin.releaseBroken
      ? plugin.releaseBroken(session, error)
      : (session.release as (error?: unknown) => Promise<void>).call(session, error);
  await released.catch(() => undefined);
}

/**
 * A database connection configured once and saved by name as an encrypted block: the
 * TypeScript counterpart of prefect-sqlalchemy's `SqlAlchemyConnector`.
 *
 * The TypeORM DataSource (the pool) is created on first use. `fetchOne` / `fetchMany`
 * keep a server-side cursor open per (sql, params), so repeated calls page on.
 *
 * @example
 * await using connector = await SqlConnector.load("warehouse");
 * await connector.execute("INSERT INTO customers (name) VALUES (:name)", { name: "Marvin" });
 * const rows = await connector.fetchMany("SELECT * FROM customers", {}, 2);
 */
export class SqlConnector extends Block implements AsyncDisposable, TransactionScope {
  static readonly type: BlockTypeDefinition = {
    name: "SQL Connector",
    slug: "sql-connector",
    description: "Connects to a SQL database through a pooled TypeORM DataSource; executes and fetches SQL.",
    documentationUrl: "https://github.com/sqlblocks/sqlblocks/tree/main/packages/core#sqlconnector",
    schemaVersion: 1,
    schema: sqlConnectorSchema,
    fields: ["connectionInfo", "connectArgs", "fetchSize", "ssl", "pool", "connectTimeoutMs", "maxOpenCursors"],
    secretFields: ["connectionInfo.password", "connectionInfo.url", "ssl.key"],
  };

  /** Components, or the URL as a {@link Secret}. */
  readonly connectionInfo: ConnectionComponents | Secret;
  readonly connectArgs: Record<string, unknown> | undefined;
  readonly fetchSize: number;
  readonly ssl: boolean | SslOptions | undefined;
  readonly pool: SqlConnectorOptions["pool"];
  readonly connectTimeoutMs: number | undefined;
  readonly maxOpenCursors: number;

  readonly #components: ConnectionComponents;
  readonly #redactor: Redactor;
  #ready: Promise<Ready> | undefined;
  #plugin: Promise<DriverPlugin> | undefined;
  readonly #cursors = new Map<string, Promise<OpenCursor>>();
  /** Keys of results read to the end: like Python's cached result sets, they give [] until reset. */
  readonly #exhausted = new Set<string>();
  readonly #singleConnectionLock = new Mutex();
  #telemetry: StatementTelemetry | undefined;

  constructor(options: SqlConnectorOptions) {
    super();
    if (typeof options !== "object" || options === null) {
      throw new InvalidConnectionInfoError(
        'a SqlConnector needs { connectionInfo }: a URL such as "postgresql+pg://user@host/db" or connection components',
      );
    }
    const info: ConnectionInfo = options.connectionInfo;
    if (typeof info === "string" || isSecret(info)) {
      const url = Secret.from(info);
      this.#components = parseConnectionUrl(url);
      this.connectionInfo = url;
    } else {
      this.#components = normalizeComponents(info);
      this.connectionInfo = this.#components;
    }
    if (options.fetchSize !== undefined && !(Number.isInteger(options.fetchSize) && options.fetchSize > 0)) {
      throw new InvalidParametersError(`fetchSize must be a positive integer, got ${String(options.fetchSize)}`);
    }
    this.connectArgs = options.connectArgs;
    this.fetchSize = options.fetchSize ?? 1;
    const ssl = options.ssl;
    this.ssl =
      typeof ssl === "object" && ssl !== null && typeof ssl.key === "string"
        ? { ...ssl, key: new Secret(ssl.key) }
        : (ssl as boolean | SslOptions | undefined);
    this.pool = options.pool;
    this.connectTimeoutMs = options.connectTimeoutMs;
    this.maxOpenCursors = options.maxOpenCursors ?? DEFAULT_MAX_OPEN_CURSORS;
    this.#redactor = new Redactor([
      revealSecret(this.#components.password),
      typeof this.ssl === "object" ? revealSecret(this.ssl.key) : undefined,
    ]);
    // The same rules as a saved block: `pool: { max: 0 }` fails here, not as a silent default.
    if (loadingUnvalidated) return;
    const checked = sqlConnectorSchema.safeParse(this.toBlockData());
    if (!checked.success) {
      throw new BlockValidationError(
        SqlConnector.type.name,
        checked.error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message })),
        " options",
      );
    }
  }

  /** Rebuilds a connector from stored block data (unchecked when loaded with `validate: false`). */
  static fromBlockData(data: Record<string, unknown>, options: { validate?: boolean } = {}): SqlConnector {
    const info = data.connectionInfo as { url?: Secret } | ConnectionComponents;
    loadingUnvalidated = options.validate === false;
    try {
      return new SqlConnector({
        ...(data as Omit<SqlConnectorOptions, "connectionInfo">),
        connectionInfo: info && "url" in info && info.url ? info.url : (info as ConnectionComponents),
      });
    } finally {
      loadingUnvalidated = false;
    }
  }

  /** How many fetch cursors are open (each holds a connection until exhausted or reset). */
  get openCursorCount(): number {
    return this.#cursors.size;
  }

  /** The connection components (parsed from the URL when a URL was given). */
  get components(): ConnectionComponents {
    return this.#components;
  }

  /** The connection URL, password masked unless `revealPassword` is set. */
  renderUrl(options: { revealPassword?: boolean } = {}): string {
    return renderConnectionUrl(this.#components, options);
  }

  toBlockData(): Record<string, unknown> {
    const info = this.connectionInfo;
    const data: Record<string, unknown> = {
      connectionInfo: isSecret(info) ? { url: info } : dropUndefined({ ...info }),
      connectArgs: this.connectArgs,
      fetchSize: this.fetchSize,
      ssl: this.ssl,
      pool: this.pool,
      connectTimeoutMs: this.connectTimeoutMs,
      maxOpenCursors: this.maxOpenCursors === DEFAULT_MAX_OPEN_CURSORS ? undefined : this.maxOpenCursors,
    };
    return dropUndefined(data);
  }

  /** A safe view for logs and `JSON.stringify`: secrets masked, the URL with its password masked. */
  toJSON(): Record<string, unknown> {
    const data = maskBlockData(this.toBlockData()) as Record<string, unknown>;
    if (isSecret(this.connectionInfo)) data.connectionInfo = this.renderUrl();
    return { blockType: SqlConnector.type.slug, blockName: this.blockName, ...data };
  }

  [inspect.custom](): string {
    return `SqlConnector ${inspect(this.toJSON(), { depth: 4 })}`;
  }

  // ---------------------------------------------------------------- statements

  /**
   * Runs one statement (in its own transaction: autocommit) and returns its row count and
   * any rows it produced (RETURNING / OUTPUT / SELECT).
   */
  async execute<T extends Row = Row>(sql: string, params?: Params): Promise<ExecuteResult<T>> {
    const plugin = await this.#driver();
    const compiled = compileFor(plugin, sql, params);
    return observe(this.#scope(plugin), "execute", sql, async () => {
      const result = await this.#withSession(plugin, (session) => plugin.query(session, compiled.sql, compiled.values));
      return { rowCount: result.rowCount, rows: result.rows as T[] };
    });
  }

  /**
   * Runs one statement once per parameter set, all in ONE transaction: all or nothing.
   * A plain `INSERT … VALUES (…)` is sent as multi-row batches.
   *
   * @throws {DatabaseError} whose `index` names the failing parameter set
   */
  async executeMany(sql: string, paramsList: readonly Params[]): Promise<ExecuteResult> {
    const plugin = await this.#driver();
    const plan = planMany(plugin, sql, paramsList);
    if (plan.sets === 0) return { rowCount: 0, rows: [] };
    return observe(this.#scope(plugin), "executeMany", sql, async () => {
      try {
        const rowCount = await this.#withSession(plugin, (session) => runMany(plugin, session, plan), true);
        return { rowCount, rows: [] };
      } catch (error) {
        throw await this.#explainBatchFailure(plugin, plan, error);
      }
    }, plan.sets);
  }

  /**
   * The next row of the query's cursor, or `undefined` when there are no more rows.
   *
   * As in prefect-sqlalchemy, a result read to the end stays read: the same (sql, params)
   * gives nothing until {@link SqlConnector.resetConnections}.
   */
  async fetchOne<T extends Row = Row>(sql: string, params?: Params): Promise<T | undefined> {
    const rows = await this.#fetch("fetchOne", sql, params, 1);
    return rows[0] as T | undefined;
  }

  /** The next `size` rows (default `fetchSize`) of the query's cursor. */
  async fetchMany<T extends Row = Row>(sql: string, params?: Params, size?: number): Promise<T[]> {
    const count = size ?? this.fetchSize;
    if (!Number.isInteger(count) || count < 1) {
      throw new InvalidParametersError(`fetchMany size must be a positive integer, got ${String(size)}`);
    }
    return (await this.#fetch("fetchMany", sql, params, count)) as T[];
  }

  /** Every remaining row of the query's cursor (all rows when none is open). */
  async fetchAll<T extends Row = Row>(sql: string, params?: Params): Promise<T[]> {
    return (await this.#fetch("fetchAll", sql, params, Number.POSITIVE_INFINITY)) as T[];
  }

  /**
   * Streams the result in chunks through a server-side cursor. Leaving the loop early
   * (`break`, `return`, an exception) closes the cursor and releases the connection.
   *
   * @example
   * for await (const chunk of connector.stream("SELECT * FROM events", {}, { chunkSize: 5000 })) { … }
   */
  async *stream<T extends Row = Row>(sql: string, params?: Params, options: StreamOptions = {}): AsyncGenerator<T[], void, undefined> {
    const chunkSize = options.chunkSize ?? 1000;
    if (!Number.isInteger(chunkSize) || chunkSize < 1) {
      throw new InvalidParametersError(`chunkSize must be a positive integer, got ${String(options.chunkSize)}`);
    }
    const plugin = await this.#driver();
    const compiled = compileFor(plugin, sql, params);
    let session: QueryRunner | undefined;
    let cursor: Awaited<ReturnType<DriverPlugin["openCursor"]>> | undefined;
    let broken: unknown;
    let rowCount = 0;
    const started = performance.now();
    const span = this.#scope(plugin).telemetry.start("stream", sql);
    let failure: SqlBlocksError | undefined;
    try {
      session = await this.#openSession(plugin);
      cursor = await plugin.openCursor(session, compiled.sql, compiled.values);
      while (true) {
        const rows = await cursor.read(chunkSize);
        rowCount += rows.length;
        span?.chunk(rows.length);
        if (rows.length > 0) yield rows as T[];
        if (rows.length < chunkSize) break;
      }
    } catch (error) {
      broken = error;
      failure = wrapDatabaseError(error, plugin, this.#redactor, sql);
      throw failure;
    } finally {
      await cursor?.close().catch(() => undefined);
      if (session) await release(plugin, session, broken);
      if (failure === undefined) span?.succeeded(rowCount);
      else span?.failed(failure);
      publishStatement({
        operation: "stream",
        sql,
        durationMs: performance.now() - started,
        rowCount,
        blockName: this.blockName,
        errorCode: broken === undefined ? undefined : "error",
      });
    }
  }

  /**
   * Runs `fn` in a transaction: commits when it resolves, rolls back when it throws.
   *
   * @example
   * await connector.transaction(async (tx) => {
   *   await tx.execute("UPDATE accounts SET balance = balance - :n WHERE id = :from", { n, from });
   *   await tx.execute("UPDATE accounts SET balance = balance + :n WHERE id = :to", { n, to });
   * });
   */
  async transaction<T>(fn: (tx: TransactionScope) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const plugin = await this.#driver();
    return this.#scope(plugin).telemetry.inTransaction(() => this.#transaction(plugin, fn, options));
  }

  async #transaction<T>(plugin: DriverPlugin, fn: (tx: TransactionScope) => Promise<T>, options: TransactionOptions): Promise<T> {
    let fromCallback = false;
    try {
      return await this.#withSession(
        plugin,
        (session) =>
          fn(new TransactionHandle(this.#redactor, plugin, session, this.blockName, this.#scope(plugin).telemetry)).catch((error: unknown) => {
            fromCallback = true;
            throw error;
          }),
        true,
        options.isolationLevel,
      );
    } catch (error) {
      // The callback's own errors pass through as thrown; a failed connect, BEGIN or COMMIT
      // (e.g. the backend was killed) comes raw from TypeORM and is wrapped like any
      // statement's, so it carries `code` and `transient` and retries can see it.
      if (fromCallback) throw error;
      throw wrapDatabaseError(error, plugin, this.#redactor, "");
    }
  }

  /** Closes every open cursor and releases its connection; the next fetch starts from row 1. */
  async resetConnections(): Promise<void> {
    const entries = [...this.#cursors.values()];
    this.#cursors.clear();
    this.#exhausted.clear();
    await Promise.all(
      entries.map(async (pending) => {
        const cursor = await pending.catch(() => undefined);
        if (!cursor) return;
        let broken: unknown;
        await cursor.close().catch((error: unknown) => {
          broken = error;
        });
        await release(cursor.plugin, cursor.session, broken);
      }),
    );
  }

  /** Resets cursors and destroys the pool. Safe twice; the connector stays usable. */
  async close(): Promise<void> {
    await this.resetConnections();
    const pending = this.#ready;
    this.#ready = undefined;
    const ready = await pending?.catch(() => undefined);
    if (!ready) return;
    ready.closing = true;
    // Statements already running finish on this pool; new ones get a fresh one.
    if (ready.users > 0) await new Promise<void>((resolve) => (ready.drained = resolve));
    if (ready.dataSource.isInitialized) await ready.dataSource.destroy();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** The TypeORM DataSource (the pool), created on first use. */
  async getDataSource(): Promise<DataSource> {
    return (await this.#readyState()).dataSource;
  }

  /**
   * An escape hatch: the DataSource, or a connected TypeORM QueryRunner that the caller
   * must `release()`.
   */
  async getClient(kind: "datasource"): Promise<DataSource>;
  async getClient(kind: "connection"): Promise<QueryRunner>;
  async getClient(kind: "datasource" | "connection" = "datasource"): Promise<DataSource | QueryRunner> {
    if (kind === "datasource") return (await this.#readyState()).dataSource;
    const plugin = await this.#driver();
    try {
      return await this.#openSession(plugin);
    } catch (error) {
      throw wrapDatabaseError(error, plugin, this.#redactor, "");
    }
  }

  // ---------------------------------------------------------------- internals

  #readyState(): Promise<Ready> {
    if (!this.#ready) {
      const pending = this.#connect();
      this.#ready = pending;
      pending.catch(() => {
        if (this.#ready === pending) this.#ready = undefined;
      });
    }
    return this.#ready;
  }

  /** The driver plug-in, loaded (not connected): enough to compile SQL before touching the database. */
  #driver(): Promise<DriverPlugin> {
    if (!this.#plugin) {
      const pending = loadDriverPlugin(this.#components.driver, this.blockName);
      this.#plugin = pending;
      pending.catch(() => {
        if (this.#plugin === pending) this.#plugin = undefined;
      });
    }
    return this.#plugin;
  }

  async #connect(): Promise<Ready> {
    const plugin = await this.#driver();
    // TypeORM is loaded on first connect: commands that never connect (the CLI listing blocks,
    // loading a block) start without paying for it.
    const { DataSource } = await import("typeorm");
    const dataSource = new DataSource(
      plugin.createDataSourceOptions({
        components: this.#components,
        ssl: this.ssl,
        pool: this.pool,
        connectTimeoutMs: this.connectTimeoutMs,
        connectArgs: this.connectArgs,
      }),
    );
    try {
      await dataSource.initialize();
    } catch (error) {
      if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
      throw wrapDatabaseError(error, plugin, this.#redactor, "");
    }
    return { plugin, dataSource, users: 0, closing: false };
  }



  async #withSession<T>(
    plugin: DriverPlugin,
    fn: (session: QueryRunner) => Promise<T>,
    inTransaction = false,
    isolationLevel?: IsolationLevel,
  ): Promise<T> {
    return this.#usingPool(async (dataSource) => {
      const unlock = plugin.singleConnection ? await this.#singleConnectionLock.acquire() : undefined;
      const session = dataSource.createQueryRunner();
      let broken: unknown;
      try {
        await session.connect();
        if (!inTransaction) return await fn(session);
        await session.startTransaction(isolationLevel);
        try {
          const result = await fn(session);
          await session.commitTransaction();
          return result;
        } catch (error) {
          if (session.isTransactionActive) await session.rollbackTransaction().catch(() => undefined);
          throw error;
        }
      } catch (error) {
        const wrapped = wrapDatabaseError(error, plugin, this.#redactor, "");
        if (wrapped.transient) broken = error;
        throw error;
      } finally {
        await release(plugin, session, broken);
        unlock?.();
      }
    });
  }

  /** What a statement event and a wrapped error need to know about this connector. */
  #scope(plugin: DriverPlugin): StatementScope {
    this.#telemetry ??= new StatementTelemetry(this.#components, plugin, () => this.blockName);
    return { plugin, redactor: this.#redactor, blockName: this.blockName, telemetry: this.#telemetry };
  }

  /** Runs `fn` on a pool that close() will not destroy until `fn` settles. */
  async #usingPool<T>(fn: (dataSource: DataSource) => Promise<T>): Promise<T> {
    let ready = await this.#readyState();
    while (ready.closing) ready = await this.#readyState();
    ready.users++;
    try {
      return await fn(ready.dataSource);
    } finally {
      ready.users--;
      if (ready.users === 0) ready.drained?.();
    }
  }

  /** A connected session (QueryRunner) the caller releases. */
  #openSession(plugin: DriverPlugin): Promise<QueryRunner> {
    return this.#usingPool(async (dataSource) => {
      const session = dataSource.createQueryRunner();
      try {
        await session.connect();
        return session;
      } catch (error) {
        await release(plugin, session, error);
        throw error;
      }
    });
  }



  async #fetch(operation: string, sql: string, params: Params | undefined, count: number): Promise<Row[]> {
    const plugin = await this.#driver();
    const compiled = compileFor(plugin, sql, params);
    const key = `${sql}\u0000${paramsKey(params)}`;
    if (this.#exhausted.has(key)) return [];
    let pending = this.#cursors.get(key);
    if (!pending && !Number.isFinite(count)) {
      const result = await observe(this.#scope(plugin), operation, sql, async () =>
        this.#withSession(plugin, (session) => plugin.query(session, compiled.sql, compiled.values)),
      );
      this.#markExhausted(key);
      return result.rows;
    }
    return (
      await observe(this.#scope(plugin), operation, sql, async () => {
        if (!pending) {
          if (this.#cursors.size >= this.maxOpenCursors) throw new TooManyCursorsError(this.maxOpenCursors);
          pending = this.#openCursor(plugin, compiled);
          this.#cursors.set(key, pending);
          pending.catch(() => this.#cursors.delete(key));
        }
        const cursor = await pending;
        let rows: Row[];
        try {
          rows = await cursor.take(count, FETCH_ALL_CHUNK);
        } catch (error) {
          // Only a broken connection is destroyed; after a plain SQL error it goes back to the pool.
          await this.#discardCursor(key, cursor, plugin.classifyError(error).transient ? error : undefined);
          throw error;
        }
        if (cursor.exhausted) {
          await this.#discardCursor(key, cursor);
          this.#markExhausted(key);
        }
        return { rowCount: rows.length, rows };
      })
    ).rows;
  }

  #markExhausted(key: string): void {
    this.#exhausted.add(key);
    if (this.#exhausted.size > MAX_EXHAUSTED_KEYS) this.#exhausted.delete(this.#exhausted.values().next().value as string);
  }

  async #openCursor(plugin: DriverPlugin, compiled: Compiled): Promise<OpenCursor> {
    const session = await this.#openSession(plugin);
    try {
      return new OpenCursor(plugin, session, await plugin.openCursor(session, compiled.sql, compiled.values));
    } catch (error) {
      await release(plugin, session, error);
      throw error;
    }
  }

  async #discardCursor(key: string, cursor: OpenCursor, broken?: unknown): Promise<void> {
    const current = this.#cursors.get(key);
    if (current && (await current.catch(() => undefined)) === cursor) this.#cursors.delete(key);
    await cursor.close().catch((error: unknown) => {
      broken ??= error;
    });
    await release(cursor.plugin, cursor.session, broken);
  }



  /**
   * A multi-row batch failed as a whole; find which parameter set caused it by replaying
   * in a transaction that is always rolled back: earlier batches as batches, then the
   * failing batch one set at a time.
   */
  async #explainBatchFailure(plugin: DriverPlugin, plan: ManyPlan, error: unknown): Promise<SqlBlocksError> {
    const batchIndex = (error as { batchIndex?: unknown } | null)?.batchIndex;
    const cause = (error as { cause?: unknown } | null)?.cause ?? error;
    if (typeof batchIndex !== "number" || !plan.insert) {
      const index = (error as { index?: unknown } | null)?.index;
      return wrapDatabaseError(cause, plugin, this.#redactor, plan.sql, typeof index === "number" ? index : undefined);
    }
    const first = wrapDatabaseError(cause, plugin, this.#redactor, plan.sql);
    if (first.transient) return wrapDatabaseError(cause, plugin, this.#redactor, plan.sql, batchIndex);
    const insert = plan.insert;
    let located: number | undefined;
    try {
      await this.#withSession(
        plugin,
        async (session) => {
          for (let start = 0; start < batchIndex; start += insert.rowsPerStatement) {
            await runInsertBatch(plugin, session, insert, start, Math.min(insert.rowsPerStatement, batchIndex - start));
          }
          const end = Math.min(batchIndex + insert.rowsPerStatement, plan.sets);
          for (let index = batchIndex; index < end; index++) {
            try {
              await runInsertBatch(plugin, session, insert, index, 1);
            } catch {
              located = index;
              break;
            }
          }
          throw new RollbackSignal();
        },
        true,
      );
    } catch {
      // The replay always ends in a rollback; a failure inside it only means we keep the batch index.
    }
    return wrapDatabaseError(cause, plugin, this.#redactor, plan.sql, located ?? batchIndex);
  }
}

registerBlockType(SqlConnector);

class RollbackSignal extends Error {}

function dropUndefined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function compileOptions(plugin: DriverPlugin): { backslashEscapes: boolean; hashComments: boolean } {
  return { backslashEscapes: plugin.backslashEscapes === true, hashComments: plugin.hashComments === true };
}

/** SQL text every method accepts: a non-empty string without NUL (SQLite would cut it there). */
function assertSqlText(sql: unknown): asserts sql is string {
  if (typeof sql !== "string" || sql.trim() === "") throw new InvalidParametersError("sql must be a non-empty string");
  if (sql.includes("\0")) {
    throw new InvalidParametersError("sql must not contain a NUL character: databases cut the text there or reject it");
  }
}

function compileFor(plugin: DriverPlugin, sql: string, params: Params | undefined, index?: number): Compiled {
  assertSqlText(sql);
  if (isPositional(params)) return { sql, values: params };
  const compiled = compileSql(sql, plugin.placeholderStyle, compileOptions(plugin));
  return { sql: compiled.sql, values: bindWithIndex(compiled, params, index) };
}

function bindWithIndex(compiled: CompiledSql, params: Params | undefined, index: number | undefined): unknown[] {
  if (isPositional(params)) return [...params];
  try {
    return bindParameters(compiled, params as Readonly<Record<string, unknown>> | undefined);
  } catch (error) {
    if (index !== undefined && error instanceof MissingParametersError) throw new MissingParametersError(error.missing, index);
    if (index !== undefined && error instanceof InvalidParametersError) {
      throw new InvalidParametersError(`${error.message.replace(/^invalid parameters: /, "")} (parameter set ${index})`);
    }
    throw error;
  }
}

interface InsertPlan {
  rowsPerStatement: number;
  compile(rows: number): CompiledSql;
  rowValues: unknown[][];
}

interface ManyPlan {
  sql: string;
  sets: number;
  insert?: InsertPlan | undefined;
  compiledSql?: string;
  valuesList?: unknown[][];
}

function planMany(plugin: DriverPlugin, sql: string, paramsList: readonly Params[]): ManyPlan {
  assertSqlText(sql);
  if (!Array.isArray(paramsList)) throw new InvalidParametersError("executeMany needs an array of parameter sets");
  if (paramsList.length === 0) return { sql, sets: 0 };
  const options = compileOptions(plugin);
  const named = paramsList.every((params) => isNamedParams(params));
  const template = named && plugin.multiRowInsert !== false ? planInsertBatch(sql, plugin.placeholderStyle, options) : undefined;
  if (template) {
    const one = template.compile(1);
    const rowValues = paramsList.map((params, index) => bindWithIndex(one, params, index));
    return {
      sql,
      sets: paramsList.length,
      insert: {
        rowsPerStatement: template.rowsPerStatement(
          plugin.maxBindParameters,
          Math.min(plugin.maxRowsPerInsert ?? DEFAULT_MAX_ROWS_PER_INSERT, DEFAULT_MAX_ROWS_PER_INSERT),
        ),
        compile: (rows) => template.compile(rows),
        rowValues,
      },
    };
  }
  const compiled = named
    ? compileSql(sql, plugin.placeholderStyle, options)
    : { sql, order: [] as string[], names: [] as string[] };
  const valuesList = paramsList.map((params, index) => {
    if (params === null || typeof params !== "object") {
      throw new InvalidParametersError(`parameter set ${index} must be an object or an array`);
    }
    return bindWithIndex(compiled, params, index);
  });
  return { sql, sets: paramsList.length, compiledSql: compiled.sql, valuesList };
}

async function runInsertBatch(
  plugin: DriverPlugin,
  session: QueryRunner,
  insert: InsertPlan,
  start: number,
  rows: number,
): Promise<number> {
  const compiled = insert.compile(rows);
  const values: unknown[] = [];
  for (let index = start; index < start + rows; index++) {
    for (const value of insert.rowValues[index]!) values.push(value);
  }
  return (await plugin.query(session, compiled.sql, values)).rowCount;
}

async function runMany(plugin: DriverPlugin, session: QueryRunner, plan: ManyPlan): Promise<number> {
  if (plan.insert) {
    let total = 0;
    const step = plan.insert.rowsPerStatement;
    for (let start = 0; start < plan.sets; start += step) {
      try {
        total += await runInsertBatch(plugin, session, plan.insert, start, Math.min(step, plan.sets - start));
      } catch (error) {
        throw Object.assign(new Error("batch failed"), { batchIndex: start, cause: error });
      }
    }
    return total;
  }
  const sql = plan.compiledSql!;
  const valuesList = plan.valuesList!;
  if (plugin.executeRepeated) return plugin.executeRepeated(session, sql, valuesList);
  let total = 0;
  for (let index = 0; index < valuesList.length; index++) {
    try {
      total += (await plugin.query(session, sql, valuesList[index]!)).rowCount;
    } catch (error) {
      throw Object.assign(new Error("parameter set failed"), { index, cause: error });
    }
  }
  return total;
}

/** Where a statement runs: its driver, the connector's redactor and block name. */
interface StatementScope {
  readonly plugin: DriverPlugin;
  readonly redactor: Redactor;
  readonly blockName: string | undefined;
  /** The connector's OpenTelemetry instrumentation. */
  readonly telemetry: StatementTelemetry;
}

/**
 * Runs one connector call: publishes its statement event (SQL, duration, rows; never
 * values) and turns whatever it throws into a wrapped, redacted error.
 */
async function observe<T extends { rowCount: number }>(
  scope: StatementScope,
  operation: string,
  sql: string,
  run: () => Promise<T>,
  batchSize?: number,
): Promise<T> {
  const started = performance.now();
  const event = { operation, sql, blockName: scope.blockName };
  const span = scope.telemetry.start(operation, sql, batchSize);
  try {
    const result = await run();
    publishStatement({ ...event, durationMs: performance.now() - started, rowCount: result.rowCount });
    span?.succeeded(result.rowCount);
    return result;
  } catch (error) {
    const wrapped = wrapDatabaseError(error, scope.plugin, scope.redactor, sql);
    publishStatement({ ...event, durationMs: performance.now() - started, rowCount: 0, errorCode: wrapped.code });
    span?.failed(wrapped);
    throw wrapped;
  }
}

/** The `tx` of {@link SqlConnector.transaction}: every call runs on the transaction's connection. */
class TransactionHandle implements TransactionScope {
  readonly #buffers = new Map<string, Row[]>();

  constructor(
    readonly redactor: Redactor,
    readonly plugin: DriverPlugin,
    readonly session: QueryRunner,
    readonly blockName: string | undefined,
    readonly telemetry: StatementTelemetry,
  ) {}

  async execute<T extends Row = Row>(sql: string, params?: Params): Promise<ExecuteResult<T>> {
    const compiled = compileFor(this.plugin, sql, params);
    return observe(this, "execute", sql, async () => {
      const result = await this.plugin.query(this.session, compiled.sql, compiled.values);
      return { rowCount: result.rowCount, rows: result.rows as T[] };
    });
  }

  async executeMany(sql: string, paramsList: readonly Params[]): Promise<ExecuteResult> {
    const plan = planMany(this.plugin, sql, paramsList);
    if (plan.sets === 0) return { rowCount: 0, rows: [] };
    return observe(this, "executeMany", sql, async () => {
      try {
        return { rowCount: await runMany(this.plugin, this.session, plan), rows: [] };
      } catch (error) {
        const index = (error as { index?: number; batchIndex?: number }).index ?? (error as { batchIndex?: number }).batchIndex;
        throw wrapDatabaseError((error as { cause?: unknown }).cause ?? error, this.plugin, this.redactor, sql, index);
      }
    }, plan.sets);
  }

  async fetchOne<T extends Row = Row>(sql: string, params?: Params): Promise<T | undefined> {
    return (await this.fetchMany<T>(sql, params, 1))[0];
  }

  /**
   * Inside a transaction the connection is busy with the transaction itself, so the query
   * runs once and its rows are paged from memory.
   */
  async fetchMany<T extends Row = Row>(sql: string, params?: Params, size = 1): Promise<T[]> {
    const key = `${sql}\u0000${paramsKey(params)}`;
    let buffer = this.#buffers.get(key);
    if (!buffer) {
      buffer = await this.fetchAll(sql, params);
      this.#buffers.set(key, buffer);
    }
    const rows = buffer.splice(0, size);
    if (buffer.length === 0) this.#buffers.delete(key);
    return rows as T[];
  }

  async fetchAll<T extends Row = Row>(sql: string, params?: Params): Promise<T[]> {
    const key = `${sql}\u0000${paramsKey(params)}`;
    const buffered = this.#buffers.get(key);
    if (buffered) {
      this.#buffers.delete(key);
      return buffered as T[];
    }
    return (await this.execute<T>(sql, params)).rows;
  }


}
