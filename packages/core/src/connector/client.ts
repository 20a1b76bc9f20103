import type { DriverCursor, StatementResult } from "../driver/contract.js";
import type { Lease } from "./lease.js";
import type { StatementRunner } from "./runner.js";

/**
 * A connection lent to the caller by `getClient("connection")`: it stays out of the pool
 * until {@link ClientConnection.release} (or the connector's `close()`, which ends it).
 */
export interface ClientConnection {
  /** The driver's native connection (pg `PoolClient`, mysql2 `PoolConnection`, better-sqlite3 `Database`, …). */
  readonly native: unknown;
  /** True once released. */
  readonly isReleased: boolean;
  /** Runs one statement with the driver's own placeholders; errors are wrapped and redacted. */
  query(sql: string, values?: readonly unknown[]): Promise<StatementResult>;
  /** Opens a server-side cursor; close it before releasing the connection. */
  openCursor(sql: string, values?: readonly unknown[]): Promise<DriverCursor>;
  /** Gives the connection back to the pool; later calls do nothing. */
  release(): Promise<void>;
}

/** Wraps a `client` lease for the caller. */
export function clientConnection(lease: Lease, runner: StatementRunner): ClientConnection {
  return {
    native: lease.connection.native,
    get isReleased() {
      return lease.released;
    },
    async query(sql, values = []) {
      try {
        return await lease.connection.query(sql, values);
      } catch (error) {
        throw runner.wrap(error, sql);
      }
    },
    async openCursor(sql, values = []) {
      try {
        return await lease.connection.openCursor(sql, values);
      } catch (error) {
        throw runner.wrap(error, sql);
      }
    },
    release: () => lease.release(),
  };
}
