/**
 * Fuzzing with fast-check, end to end:
 * - random SQL with string literals, quoted identifiers and comments full of `:name`-like
 *   text, and real `:name` parameters, compiled by the parameter compiler and RUN on SQLite
 *   through SqlConnector: every literal comes back byte-identical, every identifier is the
 *   column name, every parameter returns exactly its bound value;
 * - random connection components and URLs saved as blocks and loaded back (through the
 *   encrypted store) are unchanged.
 *
 * SQLBLOCKS_FUZZ_RUNS sets the number of cases per property (default 200; the long mode
 * uses 10,000). The compiler's own properties are in packages/core/test/params.property.test.ts.
 */
import { BlockStore, Driver, normalizeComponents, registerDriver, renderConnectionUrl, SqlConnector } from "@sqlblocks/core";
import sqlitePlugin from "@sqlblocks/driver-sqlite";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FUZZ_RUNS, tempDir } from "./support/env.js";

/** Generous: the long mode runs 10,000 cases per property. */
const TIMEOUT_MS = Math.max(30_000, FUZZ_RUNS * 15);
const home = tempDir("fuzz");
let db: SqlConnector;
let store: BlockStore;
const figures: string[] = [];

beforeAll(async () => {
  registerDriver(sqlitePlugin);
  db = new SqlConnector({ connectionInfo: "sqlite+better-sqlite3:///:memory:" });
  store = await BlockStore.open({ home, env: {} });
});

afterAll(async () => {
  await db?.close();
  await store?.close();
  console.log(figures.map((f) => `[fuzz] ${f}`).join("\n"));
});

/** Text that trips a naive compiler: colon-words, casts, quotes, comment openers, placeholders. */
const tricky = fc.constantFrom(
  ":a", ":name", ":p0", "::int", ":=", ":1", "\\:", "\\:a", "\\", "'", "''", '"', "`", "[", "]", "$", "$$", "$1", "?", "?1", "@p0",
  "--", "-", "/", "*", "#", "\n", " ", "%", "é", "用", "😀",
);
const plainText = fc.string({ unit: "grapheme", minLength: 1, maxLength: 3 }).filter((s) => !s.includes("\u0000"));
const text = fc.array(fc.oneof({ weight: 3, arbitrary: tricky }, { weight: 2, arbitrary: plainText }), { maxLength: 10 }).map((parts) => parts.join(""));

/** A value to bind and what SQLite gives back for it. */
const value = fc.oneof(
  text,
  fc.string({ unit: "binary", maxLength: 20 }).filter((s) => !/[\uD800-\uDFFF]/.test(s)),
  fc.integer(),
  fc.constant(null),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)),
);

type Item =
  | { kind: "literal"; text: string }
  | { kind: "param"; name: string; value: unknown }
  | { kind: "reuse"; index: number };

const item: fc.Arbitrary<Item> = fc.oneof(
  text.map((t): Item => ({ kind: "literal", text: t })),
  fc.tuple(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,5}$/), value).map(([name, v]): Item => ({ kind: "param", name, value: v })),
  fc.nat().map((index): Item => ({ kind: "reuse", index })),
);

/** A quoted identifier of one of SQLite's three styles, and the column name it gives. */
const alias = fc.tuple(fc.constantFrom('"', "[", "`"), text).map(([quote, raw]) => {
  if (quote === "[") {
    const name = raw.replaceAll("]", "");
    return { sql: (i: number) => `[c${i} ${name}]`, name: (i: number) => `c${i} ${name}` };
  }
  const doubled = raw.replaceAll(quote, quote + quote);
  return { sql: (i: number) => `${quote}c${i} ${doubled}${quote}`, name: (i: number) => `c${i} ${raw}` };
});

/** SQLite's comments. Block comments do not nest in SQLite, so none is opened inside one. */
const comment = fc.oneof(
  fc.constant(" "),
  text.map((t) => ` /* ${t.replaceAll("*/", "").replaceAll("/*", "")} */ `),
  text.map((t) => ` -- ${t.replaceAll("\n", " ")}\n`),
);

describe("fuzz: the parameter compiler, end to end on SQLite", () => {
  it(
    "never rewrites inside literals, identifiers or comments, and binds every parameter",
    async () => {
      let statements = 0;
      let parameters = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(fc.tuple(item, alias, comment), { minLength: 1, maxLength: 8 }), async (columns) => {
          const params: Record<string, unknown> = {};
          const expected: Record<string, unknown> = {};
          const selected = columns.map(([it, as, after], i) => {
            let expression: string;
            let result: unknown;
            if (it.kind === "literal") {
              expression = `'${it.text.replaceAll("'", "''")}'`;
              result = it.text;
            } else {
              const names = Object.keys(params);
              // Reuse a name already bound (its value must come back again), else a fresh one.
              const name = it.kind === "reuse" && names.length > 0 ? names[it.index % names.length]! : it.kind === "param" ? `${it.name}_${i}` : `p_${i}`;
              if (!(name in params)) params[name] = it.kind === "param" ? it.value : i;
              expression = `:${name}`;
              result = params[name];
            }
            expected[as.name(i)] = result;
            return `${expression} AS ${as.sql(i)}${after}`;
          });
          const sql = `SELECT ${selected.join(",")}`;
          const { rows } = await db.execute(sql, params);
          statements++;
          parameters += Object.keys(params).length;
          expect(rows).toHaveLength(1);
          expect(Object.keys(rows[0]!)).toEqual(Object.keys(expected));
          expect(rows[0]).toEqual(expected);
        }),
        { numRuns: FUZZ_RUNS },
      );
      figures.push(`compiler end to end on SQLite: ${statements} statements run, ${parameters} distinct parameters bound`);
    },
    TIMEOUT_MS,
  );

  // SQLite's block comments do not nest: a comment that mentions `/*` (a glob such as
  // src/*.ts) ends at its first `*\/`, and the parameters after it must still be bound.
  it("a comment that mentions /* does not swallow the parameters after it", async () => {
    expect((await db.execute("SELECT /* files in src/*.ts */ :b AS b, :a AS a /* x /* y */", { a: 1, b: 2 })).rows).toEqual([{ b: 2, a: 1 }]);
  });
});

// ---------------------------------------------------------------- URL round trips through the store

const character = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(" ", "@", ":", "/", "?", "#", "%", "&", "=", "+", "[", "]", "\\", ";", "'", '"', "%25", "%2F", "%zz", "é", "用", "😀", "\t", "\n", "********", "://"),
  },
);
const field = fc.string({ unit: character, maxLength: 16 });
const host = fc.oneof(fc.domain(), fc.ipV4(), fc.ipV6(), fc.constantFrom("localhost", "db_1", "bücher.example", "[::1]"));
const SERVER_DRIVERS = Object.values(Driver).filter((d) => d !== Driver.SQLITE_BETTER_SQLITE3);
const components = fc.record(
  {
    driver: fc.constantFrom(...SERVER_DRIVERS, "postgres", "postgresql+psycopg2", "mysql+pymysql", "mariadb+mariadbconnector", "mssql+pyodbc", "oracle+cx_oracle"),
    username: field,
    password: field,
    host,
    port: fc.oneof(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 1, max: 65535 }).map(String)),
    database: field,
    // Keys that name Object.prototype's members must stay plain data through save and load.
    query: fc.dictionary(fc.oneof({ weight: 4, arbitrary: field.filter((k) => k !== "") }, { weight: 1, arbitrary: fc.constantFrom("__proto__", "constructor") }), field, { maxKeys: 3 }),
  },
  { requiredKeys: ["driver"] },
);

/** Components as plain data, the password revealed (Secrets all compare equal otherwise). */
function plain(connector: SqlConnector): Record<string, unknown> {
  return { ...connector.components, password: connector.components.password?.reveal() };
}

describe("fuzz: connection URLs round-trip through save and load", () => {
  it(
    "components and URLs saved as blocks load back unchanged",
    async () => {
      let saved = 0;
      await fc.assert(
        fc.asyncProperty(components, fc.boolean(), async (input, asUrl) => {
          const normal = normalizeComponents(input);
          const url = renderConnectionUrl(normal, { revealPassword: true });
          const original = new SqlConnector({ connectionInfo: asUrl ? url : input });
          // A fresh document each time: overwriting with a password that IS the mask would
          // (by design) keep the stored one.
          await SqlConnector.delete("fuzz", { store });
          await original.save("fuzz", { store });
          const loaded = await SqlConnector.load("fuzz", { store });
          saved++;
          expect(plain(loaded)).toEqual(plain(original));
          expect(loaded.renderUrl({ revealPassword: true })).toBe(url);
          expect(loaded.renderUrl()).toBe(renderConnectionUrl(normal));
          expect(typeof loaded.connectionInfo === "object" && "driver" in loaded.connectionInfo).toBe(!asUrl);
        }),
        { numRuns: FUZZ_RUNS },
      );
      figures.push(`URL round trips through save/load: ${saved} blocks saved and loaded`);
    },
    TIMEOUT_MS,
  );
});
