import type { DataSource } from "typeorm";
import type { Lease, LeaseKind } from "./lease.js";
import { type ConnectionPool, inTransaction } from "./pool.js";
import type { ConnectionSource } from "./runner.js";

/**
 * The connector's pool of the moment: created on first use, replaced by a fresh one after
 * `close()` (work already running finishes on the old one), so a closed connector stays
 * usable.
 */
export class PoolSlot {
  #pool: Promise<ConnectionPool> | undefined;
  /** The current pool once it is open: an acquire then needs no wait for it. */
  #ready: ConnectionPool | undefined;

  constructor(private readonly open: () => Promise<ConnectionPool>) {}

  /** The current pool, created on first use. */
  current(): Promise<ConnectionPool> {
    if (!this.#pool) {
      const pending = this.open();
      this.#pool = pending;
      pending.then(
        (pool) => {
          if (this.#pool === pending) this.#ready = pool;
        },
        () => {
          if (this.#pool === pending) this.#pool = undefined;
        },
      );
    }
    return this.#pool;
  }

  /** The TypeORM DataSource of the current pool (see {@link ConnectionPool.dataSource}). */
  dataSource(): Promise<DataSource> {
    return this.#open().then((pool) => pool.dataSource());
  }

  /** A lease from a pool that is not closing. */
  acquire(kind: LeaseKind): Promise<Lease> {
    const ready = this.#ready;
    if (ready !== undefined && !ready.closing) return ready.acquire(kind);
    return this.#open().then((pool) => pool.acquire(kind));
  }

  /** A lease at once, when the pool is open and the driver has a connection at hand (see {@link ConnectionPool.acquireNow}). */
  acquireNow(kind: LeaseKind): Lease | undefined {
    const ready = this.#ready;
    return ready !== undefined && !ready.closing ? ready.acquireNow(kind) : undefined;
  }

  /** Runs `fn` on a lease released when it settles. */
  use<T>(kind: LeaseKind, fn: (lease: Lease) => Promise<T>): Promise<T> {
    const ready = this.#ready;
    if (ready !== undefined && !ready.closing) return ready.use(kind, fn);
    return this.#open().then((pool) => pool.use(kind, fn));
  }

  /** Where the connector's statements run: one lease per statement, batch or rehearsal. */
  source(): ConnectionSource {
    return {
      run: (fn) => this.use("statement", (lease) => fn(lease.connection)),
      atomic: (fn) => this.use("transaction", (lease) => inTransaction(lease.connection, undefined, () => fn(lease.connection))),
      rehearse: (fn) =>
        this.use("transaction", async (lease) => {
          await lease.connection.begin();
          try {
            await fn(lease.connection);
          } finally {
            await lease.connection.rollback();
          }
        }),
    };
  }

  /** Closes the current pool; the next use opens a new one. */
  async close(): Promise<void> {
    const pending = this.#pool;
    this.#pool = undefined;
    this.#ready = undefined;
    const pool = await pending?.catch(() => undefined);
    await pool?.close();
  }

  async #open(): Promise<ConnectionPool> {
    let pool = await this.current();
    while (pool.closing) pool = await this.current();
    return pool;
  }
}
