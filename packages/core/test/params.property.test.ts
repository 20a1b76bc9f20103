import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  bindParameters,
  type CompileOptions,
  compileSql,
  type PlaceholderStyle,
  planInsertBatch,
} from "../src/params/index.js";

/** Set SQLBLOCKS_FUZZ_RUNS=10000 (or more) for a long run. */
const RUNS = Number(process.env.SQLBLOCKS_FUZZ_RUNS ?? 300) || 300;

const STYLES: readonly PlaceholderStyle[] = ["dollar", "question", "at-p", "colon-number"];

/**
 * A piece of generated SQL: `text` is what goes in, `expected` what must come out
 * (with placeholders still symbolic), and `param` marks a real parameter.
 */
type Piece = { readonly text: string; readonly expected: string } | { readonly param: string };

const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,6}$/);

/** Text that looks dangerous to a naive compiler: colon-words, casts, quotes, comment openers. */
const trickyText = fc
  .array(
    fc.oneof(
      fc.constantFrom(":a", ":name", "::int", ":=", ":1", "\\:", "\\", "'", '"', "`", "[", "]", "$", "$$", "$t$"),
      fc.constantFrom("--", "/*", "*/", "#", "\n", " ", "?", "@p0"),
      name.map((n) => `:${n}`),
      fc.string({ maxLength: 4 }),
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(""));

const removeAll = (text: string, needles: readonly string[]): string => {
  let out = text;
  while (needles.some((needle) => out.includes(needle))) {
    for (const needle of needles) out = out.replaceAll(needle, "");
  }
  return out;
};

const verbatim = (text: string): Piece => ({ text, expected: text });

/** Literals, quoted identifiers and comments, escaped as each dialect requires. */
function literal(options: Required<CompileOptions>): fc.Arbitrary<Piece> {
  const backslash = (text: string): string => (options.backslashEscapes ? text.replaceAll("\\", "\\\\") : text);
  const kinds: fc.Arbitrary<Piece>[] = [
    trickyText.map((t) => verbatim(`'${backslash(t).replaceAll("'", "''")}'`)),
    trickyText.map((t) => verbatim(`E'${t.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`)),
    trickyText.map((t) => verbatim(`"${backslash(t).replaceAll('"', '""')}"`)),
    trickyText.map((t) => verbatim(`\`${t.replaceAll("`", "``")}\``)),
    fc
      .tuple(fc.constantFrom("", "tag", "a1", "_"), trickyText)
      .map(([tag, t]) => verbatim(`$${tag}$${removeAll(t, [`$${tag}$`])}$${tag}$`)),
    trickyText.map((t) => verbatim(`--${t.replaceAll("\n", " ")}\n`)),
    // Where comments nest, a body ending in "/" would open a nested comment with the closing
    // "*" ("/*/*/" is unterminated in PostgreSQL), so such a body is not a whole comment there.
    trickyText.map((t) => {
      const body = removeAll(t, ["/*", "*/"]);
      return verbatim(`/*${options.nestedComments ? body.replace(/\/+$/, "") : body}*/`);
    }),
  ];
  if (options.nestedComments) {
    kinds.push(
      fc.tuple(trickyText, trickyText, trickyText).map(([before, inner, after]) => {
        const clean = (t: string): string => removeAll(t, ["/*", "*/"]);
        // Text after the inner comment is still comment only if nesting is honoured.
        return verbatim(`/*${clean(before)} /* ${clean(inner)} */ ${clean(after)} */`);
      }),
    );
  }
  if (options.alternativeQuotes) {
    kinds.push(
      fc
        .tuple(fc.constantFrom("q", "Q", "nq", "NQ"), fc.constantFrom(["[", "]"], ["{", "}"], ["<", ">"], ["(", ")"], ["!", "!"]), trickyText)
        .map(([prefix, [open, close], t]) => verbatim(`${prefix}'${open}${removeAll(t, [`${close}'`])}${close}'`)),
    );
  }
  if (options.bracketIdentifiers) kinds.push(trickyText.map((t) => verbatim(`[${t.replaceAll("]", "]]")}]`)));
  if (options.hashComments) kinds.push(trickyText.map((t) => verbatim(`#${t.replaceAll("\n", " ")}\n`)));
  return fc.oneof(...kinds);
}

/** Ordinary SQL that contains colons but no parameters. */
const code: fc.Arbitrary<Piece> = fc.oneof(
  fc.constantFrom("select", "from t", "where", "=", ",", "(", ")", "1", "a::int", ":=", ":1", "x[1:2]", "lo:hi").map(verbatim),
  name.map((n) => ({ text: `\\:${n}`, expected: `:${n}` })),
);

const param: fc.Arbitrary<Piece> = fc.constantFrom("a", "b", "id", "_x9", "Name").map((p) => ({ param: p }));

function expectedCompile(pieces: readonly Piece[], style: PlaceholderStyle): { sql: string; order: string[] } {
  const order: string[] = [];
  const seen = new Map<string, number>();
  const sql = pieces
    .map((piece) => {
      if (!("param" in piece)) return piece.expected;
      if (style === "question" || style === "colon-number") {
        order.push(piece.param);
        return style === "question" ? "?" : `:${order.length}`;
      }
      let index = seen.get(piece.param);
      if (index === undefined) {
        index = order.length;
        order.push(piece.param);
        seen.set(piece.param, index);
      }
      return style === "dollar" ? `$${index + 1}` : `@p${index}`;
    })
    .join(" ");
  return { sql, order };
}

const styleAndOptions = fc.record({
  style: fc.constantFrom(...STYLES),
  backslashEscapes: fc.boolean(),
  hashComments: fc.boolean(),
  bracketIdentifiers: fc.boolean(),
  nestedComments: fc.boolean(),
  alternativeQuotes: fc.boolean(),
});

describe("parameter compiler properties", () => {
  it("keeps every literal, identifier and comment byte-identical and binds exactly the real parameters", () => {
    fc.assert(
      fc.property(
        styleAndOptions.chain((setup) =>
          fc.tuple(fc.constant(setup), fc.array(fc.oneof(literal(setup), code, param), { maxLength: 25 })),
        ),
        ([{ style, ...options }, pieces]) => {
          const sql = pieces.map((piece) => ("param" in piece ? `:${piece.param}` : piece.text)).join(" ");
          const expected = expectedCompile(pieces, style);
          const compiled = compileSql(sql, style, options);
          expect(compiled.sql).toBe(expected.sql);
          expect(compiled.order).toEqual(expected.order);
          expect(compiled.names).toEqual([...new Set(expected.order)]);

          const params = Object.fromEntries(compiled.names.map((n, i) => [n, `value-${n}-${i}`]));
          expect(bindParameters(compiled, params)).toEqual(expected.order.map((n) => params[n]));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("compiles SQL without ':' to itself", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 200 }).map((s) => s.replaceAll(":", "")),
        styleAndOptions,
        (sql, { style, ...options }) => {
          expect(compileSql(sql, style, options)).toEqual({ sql, order: [], names: [] });
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("never throws and never loses text outside parameters, on arbitrary input", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), styleAndOptions, (sql, { style, ...options }) => {
        const compiled = compileSql(sql, style, options);
        // Every parameter in the source is at least `:` plus one character, and `\:` loses one character.
        expect(compiled.order.length).toBeLessThanOrEqual(sql.split(":").length - 1);
        planInsertBatch(sql, style, options);
      }),
      { numRuns: RUNS },
    );
  });

  it("a batch of n rows binds the rows' values in order", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...STYLES),
        fc.array(fc.constantFrom("a", "b", "c"), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 20 }),
        (style, tupleNames, rows) => {
          const sql = `insert into t values (${tupleNames.map((n) => `:${n}`).join(", ")})`;
          const template = planInsertBatch(sql, style);
          expect(template).toBeDefined();
          const one = template!.compile(1);
          const batch = template!.compile(rows);
          expect(batch.order).toEqual(Array.from({ length: rows }, () => one.order).flat());
          expect(batch.sql.startsWith("insert into t values (")).toBe(true);
          expect(template!.rowsPerStatement(one.order.length * rows)).toBe(rows);

          // The placeholders in the batch are exactly those of `rows` separately compiled rows.
          const placeholders = batch.sql.match(/\$\d+|\?|@p\d+|:\d+/g) ?? [];
          expect(placeholders.length).toBe(tupleNames.length * rows);
          const distinct = new Set(placeholders).size;
          expect(distinct).toBe(style === "question" ? 1 : batch.order.length);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
