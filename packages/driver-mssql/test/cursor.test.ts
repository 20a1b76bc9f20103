import { EventEmitter } from "node:events";
import type mssql from "mssql";
import { describe, expect, it } from "vitest";
import { StreamingCursor } from "../src/index.js";

/**
 * Behaves like an mssql Request in stream mode: 'row' events while not paused, then
 * 'done'; an error emits 'error' and then 'done'; cancel() ends it with ECANCEL.
 */
class FakeStreamingRequest extends EventEmitter {
  stream: boolean | null = null;
  paused = false;
  canceled = false;
  sql: string | undefined;
  produced = 0;
  #ended = false;

  constructor(
    readonly total: number,
    readonly failAt?: number,
  ) {
    super();
  }

  query(sql: string): this {
    this.sql = sql;
    setImmediate(() => this.#pump());
    return this;
  }
  pause(): boolean {
    this.paused = true;
    return true;
  }
  resume(): boolean {
    this.paused = false;
    setImmediate(() => this.#pump());
    return true;
  }
  cancel(): boolean {
    this.canceled = true;
    setImmediate(() => {
      if (this.#ended) return;
      this.emit("error", Object.assign(new Error("Canceled."), { code: "ECANCEL" }));
      this.#end();
    });
    return true;
  }
  #end(): void {
    this.#ended = true;
    this.emit("done", { rowsAffected: [this.produced] });
  }
  #pump(): void {
    while (!this.paused && !this.canceled && !this.#ended) {
      if (this.produced === this.failAt) {
        this.emit("error", Object.assign(new Error("Arithmetic overflow"), { number: 8115 }));
        this.#end();
        return;
      }
      if (this.produced === this.total) {
        this.#end();
        return;
      }
      this.produced++;
      this.emit("row", { id: this.produced });
    }
  }
}

function open(total: number, failAt?: number) {
  const request = new FakeStreamingRequest(total, failAt);
  const cursor = new StreamingCursor(request as unknown as mssql.Request, "SELECT id FROM t");
  return { request, cursor };
}

const ids = (rows: Record<string, unknown>[]) => rows.map((r) => r.id);

describe("the SQL Server streaming cursor", () => {
  it("runs the query in stream mode and reads nothing until asked", async () => {
    const { request } = open(100);
    await new Promise((resolve) => setImmediate(resolve));
    expect(request.stream).toBe(true);
    expect(request.sql).toBe("SELECT id FROM t");
    expect(request.produced).toBe(0);
  });

  it("reads in chunks, pausing the request in between", async () => {
    const { request, cursor } = open(10);
    expect(ids(await cursor.read(3))).toEqual([1, 2, 3]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(request.paused).toBe(true);
    expect(request.produced).toBe(3);
    expect(ids(await cursor.read(4))).toEqual([4, 5, 6, 7]);
    expect(ids(await cursor.read(4))).toEqual([8, 9, 10]);
    expect(await cursor.read(4)).toEqual([]);
    await cursor.close();
    expect(request.canceled).toBe(false);
  });

  it("cancels the request when closed early and waits until it is done", async () => {
    const { request, cursor } = open(1_000_000);
    expect(ids(await cursor.read(2))).toEqual([1, 2]);
    let done = false;
    request.on("done", () => {
      done = true;
    });
    await cursor.close();
    expect(request.canceled).toBe(true);
    expect(done).toBe(true);
    expect(request.produced).toBeLessThan(10);
    await cursor.close();
    expect(await cursor.read(5)).toEqual([]);
  });

  it("throws the error that ended the stream", async () => {
    const { cursor } = open(10, 4);
    expect(ids(await cursor.read(2))).toEqual([1, 2]);
    await expect(cursor.read(5)).rejects.toThrow("Arithmetic overflow");
    await cursor.close();
  });

  it("an empty result is exhausted at once", async () => {
    const { cursor } = open(0);
    expect(await cursor.read(10)).toEqual([]);
    await cursor.close();
  });
});
