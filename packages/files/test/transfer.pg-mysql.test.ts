import { type SqlConnector, TransferError, transfer } from "@sqlblocks/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MYSQL_URL, PG_URL, reachable, suffix } from "./helpers.js";

// transfer() lives in core; it is proven here, across real servers, beside the file loaders
// that share its insert path.
const table = `xfer_${suffix}`;
const ROWS = 20_000;
let pg: SqlConnector | undefined;
let maria: SqlConnector | undefined;

async function checksum(db: SqlConnector, expression: string): Promise<{ n: string; total: string }> {
  const { rows } = await db.execute<{ n: unknown; total: unknown }>(`SELECT count(*) AS n, ${expression} AS total FROM ${table}`);
  return { n: String(rows[0]!.n), total: String(rows[0]!.total) };
}

beforeAll(async () => {
  pg = await reachable(PG_URL);
  maria = await reachable(MYSQL_URL);
  if (!pg || !maria) return;
  await pg.execute(`CREATE TABLE ${table} (id int8 NOT NULL, label varchar(40), amount numeric(12,2), at timestamp)`);
  await maria.execute(`CREATE TABLE ${table} (id bigint NOT NULL, label varchar(40), amount decimal(12,2), at datetime(3), CHECK (id <> 15500))`);
  await pg.execute(
    `INSERT INTO ${table} SELECT g, CASE WHEN g % 10 = 0 THEN NULL ELSE 'row ' || g END, g * 1.25, timestamp '2026-01-01' + g * interval '1 second'
     FROM generate_series(1, ${ROWS}) g`,
  );
});
afterAll(async () => {
  await pg?.execute(`DROP TABLE IF EXISTS ${table}`);
  await maria?.execute(`DROP TABLE IF EXISTS ${table}`);
  await pg?.close();
  await maria?.close();
});

describe("transfer between PostgreSQL and MariaDB", () => {
  it('commit "all": a target failure half-way leaves MariaDB empty', async () => {
    if (!pg || !maria) return;
    const error = (await transfer({ from: pg, query: `SELECT * FROM ${table} ORDER BY id`, to: maria, table, batchSize: 2_000 }).catch(
      (e: unknown) => e,
    )) as TransferError;
    expect(error).toBeInstanceOf(TransferError);
    expect(error.side).toBe("target");
    expect(error.committedRows).toBe(0);
    expect((await checksum(maria, "sum(id)")).n).toBe("0");
  });

  it('commit "batch": the batches before the failing one stay, exactly', async () => {
    if (!pg || !maria) return;
    const error = (await transfer({
      from: pg,
      query: `SELECT * FROM ${table} ORDER BY id`,
      to: maria,
      table,
      batchSize: 2_000,
      commit: "batch",
    }).catch((e: unknown) => e)) as TransferError;
    expect(error.committedRows).toBe(14_000);
    expect(await checksum(maria, "max(id)")).toEqual({ n: "14000", total: "14000" });
    await maria.execute(`DELETE FROM ${table}`);
  });

  it("PostgreSQL → MariaDB → PostgreSQL keeps count and checksum", async () => {
    if (!pg || !maria) return;
    await maria.execute(`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS \`CONSTRAINT_1\``);
    await maria.execute(`DELETE FROM ${table}`);
    const seen: number[] = [];
    const there = await transfer({
      from: pg,
      query: `SELECT * FROM ${table}`,
      to: maria,
      table,
      batchSize: 3_000,
      onProgress: (p) => seen.push(p.rows),
    });
    expect(there.rows).toBe(ROWS);
    expect(seen.at(-1)).toBe(ROWS);
    expect(seen).toHaveLength(Math.ceil(ROWS / 3_000));
    const sums = "concat(sum(id), '/', sum(amount), '/', count(label), '/', CAST(sum(unix_timestamp(at)) AS SIGNED))";
    const pgSums = "concat(sum(id), '/', sum(amount), '/', count(label), '/', sum(extract(epoch from at)::int8))";
    const pgBefore = await checksum(pg, pgSums);
    expect(await checksum(maria, sums)).toEqual(pgBefore);

    await pg.execute(`TRUNCATE ${table}`);
    const back = await transfer({ from: maria, query: `SELECT * FROM ${table}`, to: pg, table, commit: "batch" });
    expect(back.rows).toBe(ROWS);
    expect(await checksum(pg, pgSums)).toEqual(pgBefore);
  });
});
