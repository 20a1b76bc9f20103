import type { IsolationLevel, Row } from "../driver/contract.js";
import { InvalidParametersError } from "../errors.js";
import type { Lease } from "./lease.js";
import { inTransaction } from "./pool.js";
import type { PoolSlot } from "./pool-slot.js";
import type { StatementRunner } from "./runner.js";
import { resultKey } from "./statement-text.js";
import type { ExecuteResult, Params, TransactionScope } from "./types.js";

/**
 * `SqlConnector.transaction`: checks the isolation level against the driver's list, runs
 * `fn` between begin and commit on one lease (rollback when it throws) inside the
 * transaction's telemetry span, if any.
 */
export function runTransaction<T>(
  runner: StatementRunner,
  pools: PoolSlot,
  fn: (tx: TransactionScope) => Promise<T>,
  level: IsolationLevel | undefined,
  fetchSize: number,
): Promise<T> {
  const { isolationLevels, packageName } = runner.plugin;
  if (level !== undefined && !isolationLevels.includes(level)) {
    throw new InvalidParametersError(
      `isolationLevel ${JSON.stringify(level)} is not supported by ${packageName}; use one of ${isolationLevels.join(", ")}`,
    );
  }
  const run = async (): Promise<T> => {
    let fromCallback = false;
    try {
      return await pools.use("transaction", (lease) =>
        inTransaction(lease.connection, level, () =>
          fn(new TransactionHandle(runner, lease, fetchSize)).catch((error: unknown) => {
            fromCallback = true;
            throw error;
          }),
        ),
      );
    } catch (error) {
      // The callback's own errors pass through as thrown; a failed connect, BEGIN or COMMIT
      // (e.g. the backend was killed) is wrapped like any statement's, so it carries `code`
      // and `transient` and retries can see it.
      if (fromCallback) throw error;
      throw runner.wrap(error, "");
    }
  };
  return runner.telemetry ? runner.telemetry.inTransaction(run) : run();
}

/**
 * The page size of a `fetchMany` call: `size`, or `fetchSize` when `size` is absent or 0
 * (Python's `size = size or self.fetch_size`).
 */
export function pageSize(size: number | undefined, fetchSize: number): number {
  const count = size || fetchSize;
  if (!Number.isInteger(count) || count < 1) {
    throw new InvalidParametersError(`fetchMany size must be a positive integer (or 0 for fetchSize), got ${String(size)}`);
  }
  return count;
}

/**
 * The `tx` of `SqlConnector.transaction`: the connector's statement runner over the
 * transaction's one leased connection.
 *
 * The connection is busy with the transaction itself, so a fetch runs its query once and
 * pages its rows from memory.
 */
export class TransactionHandle implements TransactionScope {
  readonly #runner: StatementRunner;
  readonly #buffers = new Map<string, Row[]>();

  constructor(
    runner: StatementRunner,
    lease: Lease,
    readonly fetchSize: number,
  ) {
    const on = <T>(fn: (connection: Lease["connection"]) => Promise<T>) => fn(lease.connection);
    // Already inside the transaction: "all or nothing" is the transaction's own promise.
    this.#runner = runner.over({ run: on, atomic: on });
  }

  execute<T extends Row = Row>(sql: string, params?: Params): Promise<ExecuteResult<T>> {
    return this.#runner.execute<T>(sql, params);
  }

  executeMany(sql: string, paramsList: readonly Params[]): Promise<ExecuteResult> {
    return this.#runner.executeMany(sql, paramsList);
  }

  async fetchOne<T extends Row = Row>(sql: string, params?: Params): Promise<T | undefined> {
    return (await this.#page<T>("fetchOne", sql, params, 1))[0];
  }

  /** The next `size` rows (default `fetchSize`, as on the connector). */
  async fetchMany<T extends Row = Row>(sql: string, params?: Params, size?: number): Promise<T[]> {
    return this.#page<T>("fetchMany", sql, params, pageSize(size, this.fetchSize));
  }

  async fetchAll<T extends Row = Row>(sql: string, params?: Params): Promise<T[]> {
    const key = resultKey(sql, params);
    const buffered = this.#buffers.get(key);
    if (buffered) {
      this.#buffers.delete(key);
      return buffered as T[];
    }
    return (await this.#runner.execute<T>(sql, params, "fetchAll")).rows;
  }

  async #page<T extends Row>(operation: string, sql: string, params: Params | undefined, size: number): Promise<T[]> {
    const key = resultKey(sql, params);
    let buffer = this.#buffers.get(key);
    if (!buffer) {
      buffer = (await this.#runner.execute(sql, params, operation)).rows;
      this.#buffers.set(key, buffer);
    }
    const rows = buffer.splice(0, size);
    if (buffer.length === 0) this.#buffers.delete(key);
    return rows as T[];
  }
}
