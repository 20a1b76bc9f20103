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

  constructor(private readonly open: () => Promise<ConnectionPool>) {}

  /** The current pool, created on first use. */
  current(): Promise<ConnectionPool> {
    if (!this.#pool) {
      const pending = this.open();
      this.#pool = pending;
      pending.catch(() => {
        if (this.#pool === pending) this.#pool = undefined;
      });
    }
    return this.#pool;
  }

  /** A lease from a pool that is not closing. */
  async acquire(kind: LeaseKind): Promise<Lease> {
    return (await this.#open()).acquire(kind);
  }

  /** Runs `fn` on a lease released when it settles. */
  async use<T>(kind: LeaseKind, fn: (lease: Lease) => Promise<T>): Promise<T> {
    return (await this.#open()).use(kind, fn);
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
    const pool = await pending?.catch(() => undefined);
    await pool?.close();
  }

  async #open(): Promise<ConnectionPool> {
    let pool = await this.current();
    while (pool.closing) pool = await this.current();
    return pool;
  }
}
