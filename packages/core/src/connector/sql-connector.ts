import { inspect } from "node:util";
import type { DataSource } from "typeorm";
import { Block, type BlockTypeDefinition, registerBlockType, type SaveOptions } from "../blocks/block.js";
import { maskBlockData } from "../blocks/serialize.js";
import {
  type CredentialProvider,
  CredentialProviderError,
  credentialRequest,
  type PasswordSource,
  passwordSupplier,
} from "../credentials/providers.js";
import type { Row, SslOptions } from "../driver/contract.js";
import { loadDriverPlugin } from "../driver/registry.js";
import { isSecret, revealSecret, type Secret } from "../secret/secret.js";
import type { ConnectionComponents } from "../url/components.js";
import { StatementTelemetry } from "../telemetry/statement.js";
import { renderConnectionUrl } from "../url/index.js";
import { type ClientConnection, clientConnection } from "./client.js";
import { allRows, CursorCache, type CursorConnections, firstRow } from "./cursor-cache.js";
import { type SqlConnectorOptions, sqlConnectorSchema } from "./options.js";
import { isCheckedConnectorData } from "./quick-check.js";
import { ConnectionPool } from "./pool.js";
import { PoolSlot } from "./pool-slot.js";
import { Redactor } from "./redact.js";
import { StatementRunner } from "./runner.js";
import { readSettings, settingsToBlockData, validateSettings } from "./settings.js";
import { chunkSizeOf, streamRows } from "./stream.js";
import { pageSize, runTransaction } from "./transaction.js";
import type { ExecuteResult, Params, StreamOptions, TransactionOptions, TransactionScope } from "./types.js";

export type { ClientConnection } from "./client.js";
export type { ExecuteResult, Params, StreamOptions, TransactionOptions, TransactionScope } from "./types.js";

/** Set while `Block.load` rebuilds a connector: with `{ validate: false }` it loads what it can; otherwise the data was just checked. */
let loadingUnvalidated = false;

/**
 * A database connection configured once and saved by name as an encrypted block: the
 * TypeScript counterpart of prefect-sqlalchemy's `SqlAlchemyConnector`.
 *
 * The TypeORM DataSource (the pool) is created on first use. `fetchOne` / `fetchMany`
 * keep a server-side cursor open per (sql, params), so repeated calls page on.
 *
 * @example
 * import { SqlConnector } from "@sqlblocks/core";
 *
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
    get schema() {
      return sqlConnectorSchema();
    },
    quickCheck: isCheckedConnectorData,
    fields: ["connectionInfo", "connectArgs", "fetchSize", "ssl", "pool", "connectTimeoutMs", "maxOpenCursors", "passwordFrom"],
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
  /** Where the password comes from when no password is stored (a registered provider or a variable). */
  readonly passwordFrom: PasswordSource | undefined;

  /** A password function given in `connectionInfo`: usable, but not savable. */
  readonly #passwordFunction: CredentialProvider | undefined;
  readonly #components: ConnectionComponents;
  readonly #redactor: Redactor;
  readonly #pools: PoolSlot;
  #runner: Promise<StatementRunner> | undefined;
  /** The runner once loaded: a fetch then starts without waiting on a promise. */
  #ready: StatementRunner | undefined;
  #connections: (CursorConnections & { runner: StatementRunner }) | undefined;
  readonly #cursors: CursorCache;

  constructor(options: SqlConnectorOptions) {
    super();
    const settings = readSettings(options);
    this.connectionInfo = settings.connectionInfo;
    this.#components = settings.components;
    this.connectArgs = settings.connectArgs;
    this.fetchSize = settings.fetchSize;
    this.ssl = settings.ssl;
    this.pool = settings.pool;
    this.connectTimeoutMs = settings.connectTimeoutMs;
    this.maxOpenCursors = settings.maxOpenCursors;
    this.passwordFrom = settings.passwordFrom;
    this.#passwordFunction = settings.passwordFunction;
    this.#redactor = new Redactor([
      revealSecret(this.#components.password),
      typeof this.ssl === "object" ? revealSecret(this.ssl.key) : undefined,
    ]);
    this.#cursors = new CursorCache(this.maxOpenCursors);
    const source = this.#passwordFunction ?? this.passwordFrom;
    const passwordProvider = source
      ? passwordSupplier(source, () => credentialRequest(this.#components, this.blockName), (password) => this.#redactor.add(password))
      : undefined;
    const poolSettings = { ...settings, passwordProvider };
    this.#pools = new PoolSlot(async () => ConnectionPool.open((await this.#statements()).plugin, poolSettings, this.#redactor));
    if (!loadingUnvalidated) validateSettings(SqlConnector.type.name, settings);
  }

  /**
   * Rebuilds a connector from stored block data: unchecked when loaded with `validate: false`,
   * and not checked twice when `Block.load` has already checked it against the schema.
   */
  static fromBlockData(data: Record<string, unknown>, options: { validate?: boolean; checked?: boolean } = {}): SqlConnector {
    const info = data.connectionInfo as { url?: Secret } | ConnectionComponents;
    loadingUnvalidated = options.validate === false || options.checked === true;
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
    return settingsToBlockData(this);
  }

  /**
   * Saves the connector as a block. A password given as a function cannot be saved: register
   * it with `registerCredentialProvider(name, fn)` and save `passwordFrom: { provider: name }`.
   */
  override async save(name: string, options?: SaveOptions): Promise<void> {
    if (this.#passwordFunction) {
      throw new CredentialProviderError(
        `block ${JSON.stringify(name)} was not saved: its password is a function, and functions cannot be stored. ` +
          'Register it with registerCredentialProvider("my-provider", fn) and create the connector with passwordFrom: { provider: "my-provider" } instead',
      );
    }
    return super.save(name, options);
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
    return (await this.#statements()).execute<T>(sql, params);
  }

  /**
   * Runs one statement once per parameter set, all in ONE transaction: all or nothing.
   * A plain `INSERT … VALUES (…)` is sent as multi-row batches.
   *
   * @throws {DatabaseError} whose `index` names the failing parameter set
   */
  async executeMany(sql: string, paramsList: readonly Params[]): Promise<ExecuteResult> {
    return (await this.#statements()).executeMany(sql, paramsList);
  }

  /**
   * The next row of the query's cursor, or `undefined` when there are no more rows.
   *
   * As in prefect-sqlalchemy, a result read to the end stays read: the same (sql, params)
   * gives nothing until {@link SqlConnector.resetConnections}.
   */
  fetchOne<T extends Row = Row>(sql: string, params?: Params): Promise<T | undefined> {
    return this.#fetch("fetchOne", sql, params, 1, firstRow) as Promise<T | undefined>;
  }

  /** The next `size` rows of the query's cursor; `size` absent or 0 means `fetchSize` (Python's `size or fetch_size`). */
  async fetchMany<T extends Row = Row>(sql: string, params?: Params, size?: number): Promise<T[]> {
    return this.#fetch("fetchMany", sql, params, pageSize(size, this.fetchSize), allRows) as Promise<T[]>;
  }

  /** Every remaining row of the query's cursor (all rows when none is open). */
  fetchAll<T extends Row = Row>(sql: string, params?: Params): Promise<T[]> {
    return this.#fetch("fetchAll", sql, params, Number.POSITIVE_INFINITY, allRows) as Promise<T[]>;
  }

  /**
   * Streams the result in chunks through a server-side cursor. Leaving the loop early
   * (`break`, `return`, an exception) closes the cursor and releases the connection;
   * `close()` ends a stream still open (its next chunk fails).
   *
   * @example
   * for await (const chunk of connector.stream("SELECT * FROM events", {}, { chunkSize: 5000 })) { … }
   */
  async *stream<T extends Row = Row>(sql: string, params?: Params, options: StreamOptions = {}): AsyncGenerator<T[], void, undefined> {
    const chunkSize = chunkSizeOf(options);
    const runner = await this.#statements();
    yield* streamRows<T>(runner, () => this.#pools.acquire("stream"), (error) => runner.wrap(error, "").transient, sql, params, chunkSize);
  }

  /**
   * Runs `fn` in a transaction: commits when it resolves, rolls back when it throws. `tx`
   * is the connector's own statement runner over the transaction's connection.
   *
   * @example
   * await connector.transaction(async (tx) => {
   *   await tx.execute("UPDATE accounts SET balance = balance - :n WHERE id = :from", { n, from });
   *   await tx.execute("UPDATE accounts SET balance = balance + :n WHERE id = :to", { n, to });
   * });
   */
  async transaction<T>(fn: (tx: TransactionScope) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const runner = await this.#statements();
    return runTransaction(runner, this.#pools, fn, options.isolationLevel, this.fetchSize);
  }

  /**
   * Runs the driver's trivial statement (`SELECT 1`, `SELECT 1 FROM DUAL`) and returns how
   * long it took in milliseconds (the first call includes connecting).
   */
  async ping(): Promise<number> {
    const runner = await this.#statements();
    const started = performance.now();
    await runner.execute(runner.plugin.pingSql, undefined, "ping");
    return performance.now() - started;
  }

  /** Closes every open cursor and releases its connection; the next fetch starts from row 1. */
  async resetConnections(): Promise<void> {
    await this.#cursors.reset();
  }

  /**
   * Resets cursors, ends open streams and connections lent by `getClient("connection")`,
   * lets statements in flight finish, then destroys the pool. Safe twice; the connector
   * stays usable (the next statement creates a new pool).
   */
  async close(): Promise<void> {
    await this.resetConnections();
    await this.#pools.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** The TypeORM DataSource (the pool), created on first use. */
  async getDataSource(): Promise<DataSource> {
    return this.#pools.dataSource();
  }

  /**
   * An escape hatch: the DataSource, or a connection out of the pool that the caller must
   * `release()` (the driver's native connection is its `native`); `close()` ends it.
   */
  async getClient(kind: "datasource"): Promise<DataSource>;
  async getClient(kind: "connection"): Promise<ClientConnection>;
  async getClient(kind: "datasource" | "connection" = "datasource"): Promise<DataSource | ClientConnection> {
    if (kind === "datasource") return this.getDataSource();
    const runner = await this.#statements();
    try {
      return clientConnection(await this.#pools.acquire("client"), runner);
    } catch (error) {
      throw runner.wrap(error, "");
    }
  }

  // ---------------------------------------------------------------- internals

  /** The statement runner over the pool; needs the driver loaded, not connected. */
  #statements(): Promise<StatementRunner> {
    if (!this.#runner) {
      const pending = loadDriverPlugin(this.#components.driver, this.blockName).then((plugin) => {
        const runner = new StatementRunner(
          plugin,
          this.#redactor,
          this.blockName,
          this.#pools.source(),
          new StatementTelemetry(this.#components, plugin, () => this.blockName),
        );
        this.#ready = runner;
        return runner;
      });
      this.#runner = pending;
      pending.catch(() => {
        if (this.#runner === pending) this.#runner = undefined;
      });
    }
    return this.#runner;
  }

  #fetch<T>(operation: string, sql: string, params: Params | undefined, count: number, pick: (rows: Row[]) => T): Promise<T> {
    const ready = this.#ready;
    if (ready === undefined) {
      return this.#statements().then((runner) => this.#cursors.fetch(runner, this.#cursorConnections(runner), operation, sql, params, count, pick));
    }
    try {
      return this.#cursors.fetch(ready, this.#cursorConnections(ready), operation, sql, params, count, pick);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Where the cursor cache takes its connections: made once per runner. */
  #cursorConnections(runner: StatementRunner): CursorConnections {
    if (this.#connections?.runner !== runner) {
      this.#connections = {
        runner,
        acquire: () => this.#pools.acquire("cursor"),
        acquireNow: () => this.#pools.acquireNow("cursor"),
        isConnectionFailure: (error: unknown) => runner.wrap(error, "").transient,
      };
    }
    return this.#connections;
  }
}

registerBlockType(SqlConnector);
