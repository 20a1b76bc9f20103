import { BatchItemError } from "@sqlblocks/core/driver";
import oracledb from "oracledb";
import type { DataSource } from "typeorm";
import { describe, expect, it } from "vitest";
import oraclePlugin from "../src/index.js";

interface Call {
  method: "execute" | "executeMany";
  sql: string;
  binds: unknown;
  options: Record<string, unknown>;
}

/** An oracledb Connection that records calls and answers with canned results. */
function fakeConnection(answer: (call: Call) => unknown) {
  const calls: Call[] = [];
  const connection = {
    async execute(sql: string, binds: unknown, options: Record<string, unknown>) {
      const call = { method: "execute" as const, sql, binds, options };
      calls.push(call);
      return answer(call);
    },
    async executeMany(sql: string, binds: unknown, options: Record<string, unknown>) {
      const call = { method: "executeMany" as const, sql, binds, options };
      calls.push(call);
      return answer(call);
    },
  };
  return { calls, connection };
}

/** What core gets from the plug-in for a DataSource whose OracleDriver pool hands out `connection`. */
async function session(connection: unknown, inTransaction = false) {
  const dataSource = { driver: { master: { getConnection: async () => connection } } } as unknown as DataSource;
  const opened = await oraclePlugin.connect(dataSource);
  if (inTransaction) await opened.begin();
  return opened;
}

/** A ResultSet over `rows` that records how it was read. */
function fakeResultSet(rows: unknown[][]) {
  const reads: number[] = [];
  let closed = 0;
  return {
    reads,
    closed: () => closed,
    resultSet: {
      metaData: [{ name: "ID" }, { name: "MixedName" }],
      async getRows(count: number) {
        reads.push(count);
        return rows.splice(0, count);
      },
      async close() {
        closed++;
      },
    },
  };
}

describe("Oracle statements", () => {
  it("autocommit outside a transaction, array rows shaped into objects with SQLAlchemy's names, no trailing ;", async () => {
    const { calls, connection } = fakeConnection(() => ({ rows: [[1, "a"]], metaData: [{ name: "ID" }, { name: "MixedName" }] }));
    const result = await (await session(connection)).query("SELECT id, \"MixedName\" FROM t WHERE id = :1;", [1]);
    expect(result).toEqual({ rows: [{ id: 1, MixedName: "a" }], rowCount: 1 });
    expect(calls).toEqual([
      {
        method: "execute",
        sql: 'SELECT id, "MixedName" FROM t WHERE id = :1',
        binds: [1],
        options: { outFormat: oracledb.OUT_FORMAT_ARRAY, autoCommit: true },
      },
    ]);
  });

  it("leaves committing to the transaction while one is active, and reports affected rows", async () => {
    const { calls, connection } = fakeConnection(() => ({ rowsAffected: 3 }));
    expect(await (await session(connection, true)).query("UPDATE t SET a = :1", [true])).toEqual({ rows: [], rowCount: 3 });
    expect(calls[0]).toMatchObject({ binds: [1], options: { autoCommit: false } });
  });

  it("keeps END; on PL/SQL", async () => {
    const { calls, connection } = fakeConnection(() => ({}));
    await (await session(connection)).query("BEGIN NULL; END;", []);
    expect(calls[0]?.sql).toBe("BEGIN NULL; END;");
  });

  it("refuses a pool that hands out no oracledb connection, or a DataSource without an oracledb pool", async () => {
    await expect(session({})).rejects.toThrow(/did not hand out an oracledb connection/);
    await expect(oraclePlugin.connect({ driver: { master: undefined } } as unknown as DataSource)).rejects.toThrow(
      /not connected to Oracle through an oracledb pool/,
    );
  });

  it("sets the isolation level at begin, commits and rolls back on the connection, drops a broken one", async () => {
    const { calls, connection } = fakeConnection(() => ({}));
    const done: string[] = [];
    Object.assign(connection, {
      commit: async () => done.push("commit"),
      rollback: async () => done.push("rollback"),
      close: async (options: unknown) => done.push(`close ${JSON.stringify(options)}`),
    });
    const opened = await session(connection);
    await opened.begin("SERIALIZABLE");
    expect(calls[0]?.sql).toBe("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE");
    await opened.query("UPDATE t SET a = 1", []);
    expect(calls[1]?.options).toMatchObject({ autoCommit: false });
    await opened.commit();
    await opened.query("UPDATE t SET a = 2", []);
    expect(calls[2]?.options).toMatchObject({ autoCommit: true });
    await opened.begin();
    await opened.rollback();
    await opened.release(true);
    expect(done).toEqual(["commit", "rollback", 'close {"drop":true}']);
    expect(oraclePlugin.isolationLevels).toEqual(["READ COMMITTED", "SERIALIZABLE"]);
  });
});

describe("the Oracle ResultSet cursor", () => {
  it("opens a ResultSet, reads with getRows(n) and closes it once", async () => {
    const set = fakeResultSet([[1, "a"], [2, "b"], [3, "c"]]);
    const { calls, connection } = fakeConnection(() => ({ resultSet: set.resultSet }));
    const cursor = await (await session(connection)).openCursor("SELECT id FROM t;", []);
    expect(calls[0]?.options).toEqual({ outFormat: oracledb.OUT_FORMAT_ARRAY, autoCommit: true, resultSet: true });
    expect(calls[0]?.sql).toBe("SELECT id FROM t");
    expect(await cursor.read(2)).toEqual([
      { id: 1, MixedName: "a" },
      { id: 2, MixedName: "b" },
    ]);
    expect(await cursor.read(2)).toEqual([{ id: 3, MixedName: "c" }]);
    await cursor.close();
    await cursor.close();
    expect(set.reads).toEqual([2, 2]);
    expect(set.closed()).toBe(1);
    expect(await cursor.read(1)).toEqual([]);
  });

  it("a statement without rows gives an empty cursor", async () => {
    const { connection } = fakeConnection(() => ({ rowsAffected: 1 }));
    const cursor = await (await session(connection)).openCursor("UPDATE t SET a = 1", []);
    expect(await cursor.read(5)).toEqual([]);
    await cursor.close();
  });
});

describe("Oracle executeRepeated", () => {
  const run = async (connection: unknown, sql: string, sets: unknown[][]) =>
    (await session(connection, true)).executeRepeated!(sql, sets);

  it("sends DML with uniform binds as one executeMany with batch errors", async () => {
    const { calls, connection } = fakeConnection(() => ({ rowsAffected: 2 }));
    expect(await run(connection, "UPDATE t SET a = :1 WHERE id = :2;", [[1, 10], [null, 20]])).toBe(2);
    expect(calls).toEqual([
      { method: "executeMany", sql: "UPDATE t SET a = :1 WHERE id = :2", binds: [[1, 10], [null, 20]], options: { autoCommit: false, batchErrors: true } },
    ]);
  });

  it("names the set a batch error points at", async () => {
    const failed = Object.assign(new Error("ORA-00001: unique constraint (S.PK) violated"), { offset: 1 });
    const { connection } = fakeConnection(() => ({ rowsAffected: 1, batchErrors: [failed] }));
    const error = await run(connection, "DELETE FROM t WHERE id = :1", [[1], [2], [3]]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BatchItemError);
    expect(error).toMatchObject({ index: 1, cause: failed });
  });

  it("passes the number of runs when the statement has no binds", async () => {
    const { calls, connection } = fakeConnection(() => ({ rowsAffected: 3 }));
    await run(connection, "DELETE FROM t WHERE ROWNUM = 1", [[], [], []]);
    expect(calls[0]?.binds).toBe(3);
  });

  it("runs set by set when the types differ, PL/SQL, or a query, naming the failing set", async () => {
    const invalid = Object.assign(new Error("ORA-01722: invalid number"), { errorNum: 1722 });
    const { calls, connection } = fakeConnection((call) => {
      if ((call.binds as unknown[])[0] === "not a number") throw invalid;
      return { rowsAffected: 1 };
    });
    const error = await run(connection, "UPDATE t SET a = :1", [[1], ["not a number"]]).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ index: 1, cause: invalid });
    expect(calls.map((c) => c.method)).toEqual(["execute", "execute"]);
    calls.length = 0;
    expect(await run(connection, "BEGIN p(:1); END;", [[1], [2]])).toBe(2);
    expect(calls.map((c) => [c.method, c.sql])).toEqual([
      ["execute", "BEGIN p(:1); END;"],
      ["execute", "BEGIN p(:1); END;"],
    ]);
  });
});
