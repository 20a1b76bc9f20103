import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { isSecret, MASK, revealSecret, Secret } from "../src/secret/secret.js";

const VALUE = "s3cret-value-42";

describe("Secret", () => {
  it("reveals its value only through reveal()", () => {
    const secret = new Secret(VALUE);
    expect(secret.reveal()).toBe(VALUE);
    expect(MASK).toBe("********");
  });

  it("is masked by toString, toJSON, template strings, concatenation and String()", () => {
    const secret = new Secret(VALUE);
    expect(secret.toString()).toBe(MASK);
    expect(secret.toJSON()).toBe(MASK);
    expect(`${secret}`).toBe(MASK);
    expect(`password=${secret}`).toBe("password=********");
    expect(String(secret)).toBe(MASK);
    expect("x" + secret).toBe("x********");
  });

  it("is masked by JSON.stringify, alone and nested", () => {
    const secret = new Secret(VALUE);
    expect(JSON.stringify(secret)).toBe('"********"');
    const nested = JSON.stringify({ user: "app", password: secret, list: [secret] });
    expect(nested).toBe('{"user":"app","password":"********","list":["********"]}');
    expect(nested).not.toContain(VALUE);
  });

  it("is masked by util.inspect and console-style formatting, at any depth", () => {
    const secret = new Secret(VALUE);
    expect(inspect(secret)).toBe("Secret(********)");
    const deep = inspect({ a: { b: { c: { d: secret } } } }, { depth: Number.POSITIVE_INFINITY, showHidden: true });
    expect(deep).toContain("Secret(********)");
    expect(deep).not.toContain(VALUE);
    expect(inspect(secret, { showHidden: true, customInspect: true })).not.toContain(VALUE);
  });

  it("does not expose its value as an own property", () => {
    const secret = new Secret(VALUE);
    expect(Object.keys(secret)).toEqual([]);
    expect(Object.values(secret)).not.toContain(VALUE);
    expect(Reflect.ownKeys(secret).map((key) => (secret as unknown as Record<PropertyKey, unknown>)[key])).not.toContain(VALUE);
    expect({ ...secret }).toEqual({});
  });

  it("knows when its value is the mask itself", () => {
    expect(new Secret(MASK).isMasked).toBe(true);
    expect(new Secret(VALUE).isMasked).toBe(false);
  });

  it("refuses a value that is not a string", () => {
    expect(() => new Secret(42 as unknown as string)).toThrow(new TypeError("a Secret holds a string"));
  });

  it("keeps an empty string as an empty secret", () => {
    expect(new Secret("").reveal()).toBe("");
    expect(`${new Secret("")}`).toBe(MASK);
  });

  it("Secret.from wraps a string and passes a Secret through unchanged", () => {
    const wrapped = Secret.from(VALUE);
    expect(isSecret(wrapped)).toBe(true);
    expect(wrapped.reveal()).toBe(VALUE);
    const existing = new Secret(VALUE);
    expect(Secret.from(existing)).toBe(existing);
  });

  it("revealSecret gives plain strings for secrets and strings, undefined for undefined", () => {
    expect(revealSecret(new Secret(VALUE))).toBe(VALUE);
    expect(revealSecret("plain")).toBe("plain");
    expect(revealSecret(undefined)).toBeUndefined();
  });
});

describe("isSecret", () => {
  it("is true for secrets and false for everything else", () => {
    expect(isSecret(new Secret(VALUE))).toBe(true);
    for (const value of [VALUE, MASK, undefined, null, 0, {}, { reveal: () => VALUE }, [], new String(VALUE)]) {
      expect(isSecret(value)).toBe(false);
    }
  });

  it("recognises a secret made by another copy of the package", async () => {
    // A second instance of the module, as when two versions of core are installed.
    const specifier = "../src/secret/secret.js?copy";
    const copy = (await import(/* @vite-ignore */ specifier)) as typeof import("../src/secret/secret.js");
    expect(copy.Secret).not.toBe(Secret);
    const foreign = new copy.Secret(VALUE);
    expect(foreign instanceof Secret).toBe(false);
    expect(isSecret(foreign)).toBe(true);
    expect(copy.isSecret(new Secret(VALUE))).toBe(true);
    // Passed through rather than re-wrapped, and still readable.
    expect(Secret.from(foreign)).toBe(foreign);
    expect(revealSecret(foreign)).toBe(VALUE);
    expect(JSON.stringify({ foreign })).toBe('{"foreign":"********"}');
  });

  it("a copied object without the brand is not a secret and cannot be revealed", () => {
    const secret = new Secret(VALUE);
    const copy = Object.assign(Object.create(Secret.prototype), { ...secret }) as Secret;
    expect(isSecret(copy)).toBe(false);
    expect(() => copy.reveal()).toThrow(new TypeError("not a sqlblocks Secret"));
  });
});
