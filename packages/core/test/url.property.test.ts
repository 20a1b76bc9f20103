import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Driver, knownDriverNames, resolveDriver } from "../src/driver/drivers.js";
import { MASK, Secret } from "../src/secret/secret.js";
import {
  type ConnectionComponents,
  type ConnectionComponentsInput,
  maskUrlPasswords,
  normalizeComponents,
  parseConnectionUrl,
  renderConnectionUrl,
} from "../src/url/index.js";

/** SQLBLOCKS_FUZZ_RUNS=10000 for a long run; 300 by default. */
const RUNS = Number(process.env["SQLBLOCKS_FUZZ_RUNS"]) || 300;
const TIMEOUT = Math.max(10_000, RUNS * 20);
const CANARY = "CANARY-pw-123";

/** Characters that URL parsers get wrong, mixed into otherwise random text. */
const tricky = fc.constantFrom(
  " ", "@", ":", "/", "?", "#", "%", "&", "=", "+", "[", "]", "\\", ";", "*", "~", "'", '"',
  "%25", "%2F", "%zz", "%", "é", "ü", "用", "😀", "\t", "\n", "\u00a0", "********", "://",
);
const character = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  { weight: 3, arbitrary: tricky },
);
// NUL is refused in connection fields (drivers cut text there): url.test.ts covers that.
const text = fc.string({ unit: character.filter((c) => !c.includes("\u0000")), maxLength: 16 });

const hostChar = fc.oneof(
  fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
);
const host = fc.oneof(
  fc.domain(),
  fc.ipV4(),
  fc.ipV6(),
  fc.constantFrom("localhost", "bücher.example", "数据库", "db_1", "fe80::1%eth0", "[::1]"),
  fc.string({ unit: hostChar, minLength: 1, maxLength: 12 }).filter((h) => !/[\s/\\?#@[\]%:\u0000-\u001f\u007f]/u.test(h)),
);

function namesOf(driver: Driver): string[] {
  return knownDriverNames().filter((name) => !name.includes("<") && resolveDriver(name) === driver);
}

function componentsOf(driver: Driver): fc.Arbitrary<ConnectionComponentsInput> {
  return fc.record(
    {
      driver: fc.constantFrom(...namesOf(driver)),
      username: text,
      password: fc.oneof(text, text.map((value) => new Secret(value))),
      host,
      port: fc.oneof(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 1, max: 65535 }).map(String)),
      database: text,
      query: fc.dictionary(text, text, { maxKeys: 4 }),
    },
    { requiredKeys: ["driver"] },
  );
}

/** Components with the password revealed, for comparing (Secrets all look alike to toEqual). */
function plain(components: ConnectionComponents): Record<string, unknown> {
  return { ...components, password: components.password?.reveal() };
}

describe.each(Object.values(Driver))("URL round trip for %s", (driver) => {
  it(
    "components → URL → components gives the same components",
    () => {
      fc.assert(
        fc.property(componentsOf(driver), (input) => {
          const components = normalizeComponents(input);
          const url = renderConnectionUrl(components, { revealPassword: true });
          const parsed = parseConnectionUrl(url);
          expect(plain(parsed)).toEqual(plain(components));
          expect(plain(parseConnectionUrl(new Secret(url)))).toEqual(plain(components));
          expect(renderConnectionUrl(parsed, { revealPassword: true })).toBe(url);
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    "a masked URL is the revealed URL with maskUrlPasswords applied, and parses to the mask",
    () => {
      fc.assert(
        fc.property(componentsOf(driver), (input) => {
          const components = normalizeComponents(input);
          const masked = renderConnectionUrl(components);
          expect(maskUrlPasswords(renderConnectionUrl(components, { revealPassword: true }))).toBe(masked);
          const parsed = parseConnectionUrl(masked);
          expect(plain(parsed)).toEqual({
            ...plain(components),
            password: components.password === undefined ? undefined : MASK,
          });
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );
});

describe("parse errors never show the password", () => {
  const scheme = fc.constantFrom(...knownDriverNames().filter((name) => !name.includes("<")), "nosuch");

  it(
    "for any text around user:CANARY@",
    () => {
      fc.assert(
        fc.property(scheme, text, text, text, (prefix, before, between, after) => {
          for (const url of [
            `${prefix}://${before}:${CANARY}${between}@${after}`,
            `${prefix}://${before}${CANARY}${between}@${after}`,
            `${prefix}:/${before}:${CANARY}${between}@${after}`,
          ]) {
            try {
              parseConnectionUrl(url);
            } catch (error) {
              expect((error as Error).message).not.toContain("CANARY");
            }
          }
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    "for any text at all, parsing either succeeds or throws a sqlblocks error",
    () => {
      fc.assert(
        fc.property(scheme, text, (prefix, rest) => {
          try {
            parseConnectionUrl(`${prefix}://${rest}`);
          } catch (error) {
            expect((error as { code?: unknown }).code).toMatch(/^SQLBLOCKS_/);
          }
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );
});
