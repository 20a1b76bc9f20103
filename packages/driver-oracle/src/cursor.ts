import type { DriverCursor, Row } from "@sqlblocks/core/driver";
import type oracledb from "oracledb";
import { RowShaper } from "./rows.js";

/**
 * A server-side cursor over an oracledb ResultSet: `getRows(n)` fetches the next rows
 * (in round trips of `fetchArraySize`), `close()` frees the server cursor.
 */
export class ResultSetCursor implements DriverCursor {
  readonly #resultSet: oracledb.ResultSet<unknown[]>;
  readonly #shaper: RowShaper;
  #closed = false;

  constructor(resultSet: oracledb.ResultSet<unknown[]>) {
    this.#resultSet = resultSet;
    this.#shaper = new RowShaper(resultSet.metaData);
  }

  async read(count: number): Promise<Row[]> {
    if (this.#closed) return [];
    return this.#shaper.shape(await this.#resultSet.getRows(count));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#resultSet.close();
  }
}
