import { createHash } from "node:crypto";
import {
  BatchItemError,
  type BulkInsertTarget,
  type CursorOptions,
  type DriverConnection,
  type DriverCursor,
  type FirstPage,
  type IsolationLevel,
  type Row,
  type StatementResult,
} from "@sqlblocks/core/driver";
import type { Pool, PoolClient, QueryResult } from "pg";
import { copyRows } from "./copy.js";
import { openPgCursor } from "./cursor.js";
import { judgedSingleRow, judgedWrong } from "./single-row.js";

/**
 * A statement name derived from its text: the server keeps one prepared statement per
 * distinct SQL on each connection, and pg skips the Parse step when it sees the name again.
 */
function statementName(sql: string): string {
  return `sqlb_${createHash("sha1").update(sql).digest("hex").slice(0, 20)}`;
}

/** A multi-statement simple query returns one result per statement: report the last with rows. */
function toStatementResult(result: QueryResult<Row> | QueryResult<Row>[]): StatementResult {
  if (!Array.isArray(result)) return { rows: result.rows, rowCount: result.rowCount ?? result.rows.length };
  let rows: Row[] = [];
  let rowCount = 0;
  for (const part of result) {
    if (part.fields.length > 0) rows = part.rows;
    rowCount += part.rowCount ?? 0;
  }
  return { rows, rowCount };
}

/**
 * One pg client taken from the DataSource's pg pool. Statements run on pg's own client
 * (one round trip, no TypeORM result shaping). While leased it listens for the client's
 * `error` event (pg-pool stops listening once a client is checked out, and an unheard
 * error would crash the process); a client that reported one leaves the pool on release.
 */
export class PgConnection implements DriverConnection {
  #lost: unknown;
  readonly #onError = (error: unknown): void => {
    this.#lost ??= error;
  };

  constructor(
    readonly native: PoolClient,
    /** The pool the client came from: statements' single-row verdicts are kept per pool. */
    readonly pool: object = native,
  ) {
    native.on("error", this.#onError);
  }

  async query(sql: string, values: readonly unknown[]): Promise<StatementResult> {
    // Text and values as two arguments: pg copies a config object property by property on every call.
    const result = (await (values.length > 0 ? this.native.query<Row>(sql, values as unknown[]) : this.native.query<Row>(sql))) as
      | QueryResult<Row>
      | QueryResult<Row>[];
    return toStatementResult(result);
  }

  async openCursor(sql: string, values: readonly unknown[], options?: CursorOptions): Promise<DriverCursor> {
    return openPgCursor(this.native, sql, values, options?.readOnly === true);
  }

  /**
   * The first `count` rows. A read-only statement judged to return at most one row (a
   * lookup by primary key or unique index, see `single-row.ts`) runs as one plain query:
   * one round trip, as `pool.query`, where a portal costs a second one (Close + Sync).
   * Any other statement opens a portal cursor.
   */
  async readFirst(sql: string, values: readonly unknown[], count: number, options?: CursorOptions): Promise<FirstPage> {
    const readOnly = options?.readOnly === true;
    const single = readOnly && judgedSingleRow(this.pool, this.native, sql, values);
    if (single === true || (single !== false && (await single))) {
      const { rows } = await this.query(sql, values);
      if (rows.length < count) return { rows };
      // Judged wrong after all (the schema changed): the rows past the page come from memory.
      judgedWrong(this.pool, sql);
      return { rows: rows.slice(0, count), cursor: rowsCursor(rows.slice(count)) };
    }
    const cursor = openPgCursor(this.native, sql, values, readOnly);
    try {
      return { rows: await cursor.read(count), cursor };
    } catch (error) {
      // As when core reads a cursor itself: a cursor that failed cannot close cleanly, and
      // its connection leaves the pool.
      await cursor.close().catch(() => {
        this.#lost ??= error;
      });
      throw error;
    }
  }

  /** Reuses one named prepared statement for every parameter set. */
  async executeRepeated(sql: string, valuesList: readonly (readonly unknown[])[]): Promise<number> {
    const name = statementName(sql);
    let total = 0;
    for (let index = 0; index < valuesList.length; index++) {
      try {
        const result = await this.native.query<Row>({ name, text: sql, values: [...valuesList[index]!] });
        total += result.rowCount ?? 0;
      } catch (error) {
        throw new BatchItemError(index, error);
      }
    }
    return total;
  }

  /** Plain INSERTs of many rows go through COPY … FROM STDIN. */
  async bulkInsert(target: BulkInsertTarget, rows: readonly (readonly unknown[])[]): Promise<number> {
    return copyRows(this.native, target, rows);
  }

  async begin(isolationLevel?: IsolationLevel): Promise<void> {
    await this.native.query(isolationLevel ? `BEGIN ISOLATION LEVEL ${isolationLevel}` : "BEGIN");
  }

  async commit(): Promise<void> {
    await this.native.query("COMMIT");
  }

  async rollback(): Promise<void> {
    await this.native.query("ROLLBACK");
  }

  async release(broken: boolean): Promise<void> {
    this.native.removeListener("error", this.#onError);
    // pg-pool destroys a client released with an error instead of pooling it.
    const failure = broken || this.#lost !== undefined ? new Error("sqlblocks: connection broken") : undefined;
    this.native.release(failure);
  }
}

/** Takes a client from the pg pool TypeORM's PostgresDriver holds in its public `master` field. */
export async function connectPg(pool: Pool): Promise<PgConnection> {
  return new PgConnection(await pool.connect(), pool);
}

/** A cursor over rows already read. */
function rowsCursor(rows: Row[]): DriverCursor {
  return {
    async read(count) {
      return rows.splice(0, count);
    },
    async close() {
      rows.length = 0;
    },
  };
}
