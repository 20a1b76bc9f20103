import { Secret } from "@sqlblocks/core";
import { describe, expect, it } from "vitest";
import { MAX_RECORDED_VALUE_CHARS, recordValue } from "../src/index.js";

const parse = (text: string | undefined) => JSON.parse(text!) as unknown;

describe("recordValue: a run's parameters and result as JSON fit for the store", () => {
  it("writes values JSON cannot hold as $-keyed markers", () => {
    const circular: Record<string, unknown> = { name: "loop" };
    circular.self = circular;
    function transform() {}
    expect(
      parse(
        recordValue({
          big: 12345678901234567890n,
          at: new Date("2024-01-31T12:00:00Z"),
          bytes: Buffer.from("secret bytes"),
          u8: new Uint8Array(3),
          map: new Map<unknown, unknown>([["a", 1], [2, new Set(["x"])]]),
          fn: transform,
          arrow: () => 1,
          circular,
          nan: Number.NaN,
          nothing: undefined,
          list: [undefined, null],
          error: new TypeError("bad"),
        }),
      ),
    ).toEqual({
      big: { $bigint: "12345678901234567890" },
      at: "2024-01-31T12:00:00.000Z",
      bytes: { $bytes: 12 },
      u8: { $bytes: 3 },
      map: { $map: [["a", 1], [2, { $set: ["x"] }]] },
      fn: { $function: "transform" },
      arrow: { $function: "arrow" },
      circular: { name: "loop", self: { $circular: true } },
      nan: "NaN",
      list: [null, null],
      error: { $error: "TypeError: bad" },
    });
    // The same object twice (not a cycle) is recorded twice.
    const shared = { n: 1 };
    expect(parse(recordValue([shared, shared]))).toEqual([{ n: 1 }, { n: 1 }]);
    expect(recordValue(undefined)).toBeUndefined();
  });

  it("masks secrets, URL passwords and secret-named keys", () => {
    const text = recordValue({
      password: "Pw-Canary-1",
      apiKey: "Pw-Canary-2",
      nested: { dbToken: "Pw-Canary-3", secret: new Secret("Pw-Canary-4") },
      url: "mysql+mysql2://root:Pw-Canary-5@db:3306/x",
      note: "connect to postgresql://u:Pw-Canary-6@h/d",
    })!;
    expect(text).not.toMatch(/Pw-Canary/);
    expect(parse(text)).toEqual({
      password: "********",
      apiKey: "********",
      nested: { dbToken: "********", secret: "********" },
      url: "mysql+mysql2://root:********@db:3306/x",
      note: "connect to postgresql://u:********@h/d",
    });
  });

  it("caps large values with a visible truncated marker that is still JSON", () => {
    const long = recordValue({ text: "x".repeat(MAX_RECORDED_VALUE_CHARS * 2) })!;
    expect(long.length).toBeLessThanOrEqual(MAX_RECORDED_VALUE_CHARS);
    const marker = parse(long) as { $truncated: boolean; chars: number; preview: string };
    expect(marker.$truncated).toBe(true);
    expect(marker.chars).toBeGreaterThan(MAX_RECORDED_VALUE_CHARS * 2);
    expect(marker.preview.startsWith('{"text":"xxx')).toBe(true);
    const many = parse(recordValue(Array.from({ length: 10_000 }, (_, i) => i))) as { $truncated: boolean; preview: string };
    expect(many.$truncated).toBe(true);
    expect(many.preview).toContain('{"$more":9800}');
    let deep: unknown = "bottom";
    for (let i = 0; i < 40; i++) deep = { deep };
    expect((parse(recordValue(deep)) as { $truncated: boolean }).$truncated).toBe(true);
    expect(recordValue({ small: 1 }, 5)).toBe('{"$truncated":true,"chars":11,"preview":""}');
  });

  it("never throws: a toJSON that throws is recorded as its error", () => {
    const hostile = {
      toJSON() {
        throw new Error("nope");
      },
    };
    expect(parse(recordValue({ hostile }))).toEqual({ hostile: { $error: "Error: nope" } });
  });
});
