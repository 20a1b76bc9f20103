import type { DriverConnection, DriverCursor } from "../driver/contract.js";

/**
 * What a lease holds its connection for. `statement` and `transaction` leases end on their
 * own when their call settles, so `close()` waits for them; `cursor`, `stream` and `client`
 * leases live as long as their holder wants, so `close()` ends them.
 */
export type LeaseKind = "statement" | "transaction" | "cursor" | "stream" | "client";

/**
 * One connection taken from the pool, counted by the pool until it is released.
 *
 * It is released exactly once (later calls are no-ops, as pg-pool's `_releaseOnce`), and
 * carries one healthy/broken decision: a holder that saw the connection fail calls
 * {@link Lease.markBroken}, and the release then tells the driver to drop the connection
 * instead of handing it to the next caller (pg-pool's `release(err)`).
 */
export class Lease {
  #released: Promise<void> | undefined;
  #broken = false;
  #cursor: DriverCursor | undefined;
  #cursorClosed: Promise<boolean> | undefined;
  #onHeld: ((lease: Lease) => void) | undefined;
  /** The single connection's turn, taken to open a cursor or stream: given back once it is open. */
  #turn: (() => void) | undefined;

  constructor(
    readonly connection: DriverConnection,
    readonly kind: LeaseKind,
    private readonly onReleased: (lease: Lease) => void,
    /** Called when the lease first holds a cursor (the pool then lists it among the leases `close()` ends). */
    onHeld?: (lease: Lease) => void,
  ) {
    this.#onHeld = onHeld;
  }

  /**
   * On a single-connection database (SQLite) a cursor or stream opens in its turn, so that
   * it neither reads another caller's open transaction nor writes inside it; its holder gives
   * the turn back with {@link Lease.opened} once the first rows are read (the release gives it
   * back too).
   */
  takeTurn(release: () => void): void {
    this.#turn = release;
  }

  /** How a read of the held cursor waits for the single connection's turn (set by the pool; see {@link Lease.inTurn}). */
  readTurn: (() => Promise<() => void> | undefined) | undefined;

  /**
   * Runs a later read of the held cursor (after the first) in the single connection's turn,
   * so that it does not read another caller's open transaction; elsewhere it just reads.
   */
  inTurn<T>(read: () => Promise<T>): Promise<T> {
    const turn = this.readTurn?.();
    if (turn === undefined) return read();
    return turn.then(async (release) => {
      try {
        return await read();
      } finally {
        release();
      }
    });
  }

  /** The first rows are read: the turn taken to open, if any, goes back (see {@link Lease.takeTurn}). */
  opened(): void {
    const turn = this.#turn;
    if (turn !== undefined) {
      this.#turn = undefined;
      turn();
    }
  }

  /** True once {@link Lease.release} was called. */
  get released(): boolean {
    return this.#released !== undefined;
  }

  /** True when the connection must leave the pool. */
  get broken(): boolean {
    return this.#broken;
  }

  /** Decides that the connection is broken; it cannot be undone. */
  markBroken(): void {
    this.#broken = true;
  }

  /** The cursor open on this connection: closed (once) before the connection is ended. */
  hold(cursor: DriverCursor): void {
    this.#cursor = cursor;
    const onHeld = this.#onHeld;
    if (onHeld !== undefined) {
      this.#onHeld = undefined;
      onHeld(this);
    }
  }

  /** Closes the held cursor exactly once; resolves true when it closed cleanly (or there was none). */
  closeCursor(): Promise<boolean> {
    this.#cursorClosed ??= this.#cursor
      ? this.#cursor.close().then(
          () => true,
          () => false,
        )
      : Promise.resolve(true);
    return this.#cursorClosed;
  }

  /** Ends the lease from outside (the pool is closing): closes its cursor, then releases. */
  async end(): Promise<void> {
    const clean = await this.closeCursor();
    await this.release(!clean);
  }

  /**
   * Gives the connection back (dropped when broken). Safe to call more than once: every
   * call waits for the one release. A failing driver release is swallowed: the connection
   * is gone either way.
   */
  release(broken = false): Promise<void> {
    if (broken) this.#broken = true;
    if (!this.#released) {
      this.opened();
      const done = (): void => this.onReleased(this);
      let pending: Promise<void>;
      try {
        pending = this.connection.release(this.#broken);
      } catch (error) {
        pending = Promise.reject(error);
      }
      this.#released = pending.then(done, done);
    }
    return this.#released;
  }
}
