import { AsyncLocalStorage } from "node:async_hooks";
import type { DataSource, DataSourceOptions } from "typeorm";
import type { ConnectionSettings, DriverConnection, DriverPlugin, IsolationLevel, NativePool, PoolOptions } from "../driver/contract.js";
import { CredentialProviderError } from "../credentials/providers.js";
import { PoolTimeoutError } from "../errors.js";
import { Lease, type LeaseKind } from "./lease.js";
import { Mutex } from "./mutex.js";
import type { Redactor } from "./redact.js";
import { wrapDatabaseError } from "./wrap-error.js";

/** Leases whose holder decides how long they live: `close()` ends them instead of waiting. */
function isHeld(kind: LeaseKind): boolean {
  // Compared, not looked up in a Set: a point lookup asks on every call.
  return kind === "cursor" || kind === "stream" || kind === "client";
}

/**
 * The pool: one TypeORM DataSource created from the driver's options, and every
 * connection lent out of it as a {@link Lease}, counted until released.
 *
 * A driver that can open its native pool without TypeORM (`openNativePool`) has statements
 * run on that pool at once; the DataSource is created on the first {@link ConnectionPool.dataSource}
 * call and adopts the same pool. Either way there is one pool, made from the same options.
 *
 * `close()` ends the leases their holders keep (cursors, streams, `getClient("connection")`),
 * waits for the others (statements and transactions finish), then destroys the DataSource
 * (or ends the native pool no DataSource adopted).
 */
export class ConnectionPool {
  readonly #leases = new Set<Lease>();
  /**
   * Leases lent by {@link ConnectionPool.acquireNow} that hold no cursor: counted, not
   * listed. A point lookup's lease lives for one synchronous driver call and a release;
   * adding it to the set and deleting it again was a fifth of core's time in the lookup.
   */
  #unlisted = 0;
  /** Acquisitions under way: counted like leases, so close() waits for them too. */
  #acquiring = 0;
  #closing: Promise<void> | undefined;
  #drained: (() => void) | undefined;
  /**
   * SQLite has one connection: statements and transactions take turns on it, and cursors and
   * streams take one to open (not for their whole life: one left open must not block others).
   */
  readonly #turns: Mutex | undefined;
  /** The transaction lease whose callback is running, in its async context (single connection only). */
  readonly #turnHolder: AsyncLocalStorage<Lease> | undefined;

  /** The driver's native pool, when it opened one without TypeORM. */
  readonly #native: NativePool | undefined;
  /** The initialized DataSource, once there is one. */
  #dataSource: DataSource | undefined;
  /** The DataSource being created over the native pool (see {@link ConnectionPool.dataSource}). */
  #adopting: Promise<DataSource> | undefined;

  private constructor(
    readonly plugin: DriverPlugin,
    source: DataSource | NativePool,
    readonly redactor: Redactor,
    readonly poolOptions: PoolOptions = {},
  ) {
    this.#turns = plugin.singleConnection ? new Mutex() : undefined;
    this.#turnHolder = plugin.singleConnection ? new AsyncLocalStorage() : undefined;
    if ("connect" in source && "adoptingOptions" in source) this.#native = source;
    else this.#dataSource = source;
  }

  /**
   * Opens the pool from the driver's options: the driver's native pool when it can open one
   * (TypeORM is then not loaded until the DataSource is asked for), else a DataSource,
   * initialized.
   */
  static async open(plugin: DriverPlugin, settings: ConnectionSettings, redactor: Redactor): Promise<ConnectionPool> {
    if (settings.passwordProvider && plugin.passwordProviders !== true) {
      throw new CredentialProviderError(
        `${plugin.packageName} cannot take a password from a credential provider (passwordFrom or a password function): ` +
          "give the password in the connection info instead",
      );
    }
    const options = plugin.createDataSourceOptions(settings);
    if (plugin.openNativePool) return new ConnectionPool(plugin, plugin.openNativePool(options), redactor, settings.pool ?? {});
    return new ConnectionPool(plugin, await initializeDataSource(plugin, options, redactor), redactor, settings.pool ?? {});
  }

  /**
   * The TypeORM DataSource of this pool. Over a native pool it is created on the first call
   * and adopts that pool; if it cannot be created the pool is retired (closed), since TypeORM
   * may have ended it, and the connector's next statement opens a fresh one.
   */
  dataSource(): Promise<DataSource> {
    if (this.#dataSource) return Promise.resolve(this.#dataSource);
    if (this.#closing) return Promise.reject(new Error("internal: a DataSource asked of a closing pool"));
    this.#adopting ??= initializeDataSource(this.plugin, this.#native!.adoptingOptions(), this.redactor).then(
      (dataSource) => {
        this.#dataSource = dataSource;
        return dataSource;
      },
      (error: unknown) => {
        void this.close();
        throw error;
      },
    );
    return this.#adopting;
  }

  /** True once close() was called: new work goes to a fresh pool. */
  get closing(): boolean {
    return this.#closing !== undefined;
  }

  /** How many connections are lent out right now. */
  get leaseCount(): number {
    return this.#leases.size + this.#unlisted;
  }

  /** Lends one connection. The caller releases the lease exactly once (later calls are no-ops). */
  async acquire(kind: LeaseKind): Promise<Lease> {
    if (this.#closing) throw new Error("internal: acquire on a closing pool");
    this.#acquiring++;
    const unlock = this.#needsTurn(kind) ? await this.#turns!.acquire() : undefined;
    try {
      const connection = await this.#connect();
      const lease = new Lease(connection, kind, (released) => {
        this.#leases.delete(released);
        unlock?.();
        this.#check();
      });
      if (unlock !== undefined && isHeld(kind)) lease.takeTurn(unlock);
      this.#readInTurns(lease);
      this.#leases.add(lease);
      return lease;
    } catch (error) {
      unlock?.();
      throw error;
    } finally {
      this.#acquiring--;
      this.#check();
    }
  }

  /**
   * Lends one connection without waiting, when the driver has one at hand (see
   * `connectNow`) and no turn must be waited for; `undefined` otherwise (then use
   * {@link ConnectionPool.acquire}).
   */
  acquireNow(kind: LeaseKind): Lease | undefined {
    const dataSource = this.#dataSource;
    if (this.#closing || this.plugin.connectNow === undefined || dataSource === undefined) return undefined;
    // A turn to wait for (the kind always takes one, or someone has it): the caller then uses acquire().
    if (this.#turns !== undefined && (!isHeld(kind) || this.#turns.locked) && this.#needsTurn(kind)) return undefined;
    const connection = this.plugin.connectNow(dataSource);
    if (connection === undefined) return undefined;
    this.#unlisted++;
    return new Lease(connection, kind, this.#onReleasedNow, this.#onHeldNow);
  }

  /** A lease of {@link ConnectionPool.acquireNow} holds a cursor: listed from now on, so `close()` ends it. */
  readonly #onHeldNow = (lease: Lease): void => {
    this.#unlisted--;
    this.#leases.add(lease);
    this.#readInTurns(lease);
    // Held after close() began (its first page was read on): ended like the leases close() found.
    if (this.#closing !== undefined && isHeld(lease.kind)) void lease.end();
  };

  readonly #onReleasedNow = (lease: Lease): void => {
    if (!this.#leases.delete(lease)) this.#unlisted--;
    this.#check();
  };

  /**
   * Takes a connection from the driver, within `pool.acquireTimeoutMs` when set: past it the
   * wait ends in a {@link PoolTimeoutError} naming the pool size, and a connection that still
   * arrives later goes straight back to the pool. The timer starts before the driver's own
   * (which use the same or a longer bound), so the typed error wins the race.
   */
  #connect(): Promise<DriverConnection> {
    const timeoutMs = this.poolOptions.acquireTimeoutMs;
    if (timeoutMs === undefined) return this.#take();
    return new Promise<DriverConnection>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        reject(new PoolTimeoutError(this.poolOptions.max, timeoutMs));
      }, timeoutMs);
      this.#take().then(
        (connection) => {
          if (!settled) {
            settled = true;
            clearTimeout(timer);
            resolve(connection);
          } else {
            void connection.release(false).catch(() => undefined);
          }
        },
        (error: unknown) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  /**
   * Whether a lease of this kind waits for the single connection's turn: statements and
   * transactions hold it throughout; cursors and streams to open, unless the caller is inside
   * the transaction that holds it (its own reads see its own writes, as on `tx`); connections
   * lent by `getClient` never.
   */
  #needsTurn(kind: LeaseKind): boolean {
    if (this.#turns === undefined) return false;
    if (!isHeld(kind)) return true;
    return kind !== "client" && !this.#insideTurn();
  }

  /** A later read of a cursor or stream waits for the turn, unless its caller holds it already. */
  readonly #readTurn = (): Promise<() => void> | undefined => (this.#insideTurn() ? undefined : this.#turns!.acquire());

  /** On a single connection, a cursor's or stream's later reads take turns (see {@link Lease.inTurn}). */
  #readInTurns(lease: Lease): void {
    if (this.#turns !== undefined && (lease.kind === "cursor" || lease.kind === "stream")) lease.readTurn = this.#readTurn;
  }

  /** True when the caller runs inside the callback of the transaction holding the turn. */
  #insideTurn(): boolean {
    const holder = this.#turnHolder?.getStore();
    return holder !== undefined && !holder.released;
  }

  /** One connection from the native pool, else from the DataSource's. */
  #take(): Promise<DriverConnection> {
    return this.#native ? this.#native.connect() : this.plugin.connect(this.#dataSource!);
  }

  /**
   * Runs `fn` on a lease released when `fn` settles; a failure that means the connection
   * is lost (a transient error) marks it broken, so the pool drops it.
   */
  async use<T>(kind: LeaseKind, fn: (lease: Lease) => Promise<T>): Promise<T> {
    const lease = await this.acquire(kind);
    try {
      if (this.#turnHolder !== undefined && kind === "transaction") return await this.#turnHolder.run(lease, fn, lease);
      return await fn(lease);
    } catch (error) {
      if (this.isConnectionFailure(error)) lease.markBroken();
      throw error;
    } finally {
      await lease.release();
    }
  }

  /** Whether an error leaves the connection in doubt (lost, or mid-protocol). */
  isConnectionFailure(error: unknown): boolean {
    return wrapDatabaseError(error, this.plugin, this.redactor, "").transient;
  }

  /** Ends held leases, waits for the others, destroys the DataSource (or ends the native pool). Safe to call twice. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const idle = new Promise<void>((resolve) => {
        this.#drained = resolve;
      });
      for (const lease of this.#leases) if (isHeld(lease.kind)) void lease.end();
      this.#check();
      await idle;
      const dataSource = this.#adopting ? await this.#adopting.catch(() => undefined) : this.#dataSource;
      // A DataSource that adopted the native pool ends it when destroyed.
      if (dataSource?.isInitialized) await dataSource.destroy();
      else await this.#native?.end();
    })();
    return this.#closing;
  }

  #check(): void {
    if (this.#drained && this.#leases.size === 0 && this.#unlisted === 0 && this.#acquiring === 0) {
      const drained = this.#drained;
      this.#drained = undefined;
      drained();
    }
  }
}

/** Runs `fn` between begin and commit; rolls back when it throws. */
export async function inTransaction<T>(
  connection: DriverConnection,
  isolationLevel: IsolationLevel | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  await connection.begin(isolationLevel);
  try {
    const result = await fn();
    await connection.commit();
    return result;
  } catch (error) {
    await connection.rollback().catch(() => undefined);
    throw error;
  }
}

/** Creates and initializes a DataSource; a failure is wrapped and leaves nothing open. */
async function initializeDataSource(plugin: DriverPlugin, options: DataSourceOptions, redactor: Redactor): Promise<DataSource> {
  // TypeORM is loaded on first need: commands that never connect (the CLI listing blocks,
  // loading a block) start without paying for it. Only the DataSource's own module graph is
  // loaded, not TypeORM's index (decorators, repositories, …): a fifth fewer modules at cold start.
  const { DataSource } = await import("typeorm/data-source/DataSource.js");
  const dataSource = new DataSource(options);
  try {
    await dataSource.initialize();
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
    throw wrapDatabaseError(error, plugin, redactor, "");
  }
  return dataSource;
}
