import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { decryptText, encryptText } from "../src/crypto/cipher.js";
import { ENCRYPTION_KEY_ENV, KEY_FILE_NAME, loadEncryptionKey } from "../src/crypto/keys.js";
import { EncryptionKeyError } from "../src/errors.js";
import { fixedKey, tempDir, thrown } from "./helpers/test-plugin.js";

const KEY_RULE = "must be 32 bytes in base64 (generate one with: openssl rand -base64 32)";

describe("encryptText / decryptText (AES-256-GCM)", () => {
  const key = randomBytes(32);

  it("round-trips text, including non-ASCII", () => {
    const text = '{"password":"pä$$wörd 🔑"}';
    const sealed = encryptText(key, text, "block/sql-connector/a");
    expect(decryptText(key, sealed, "block/sql-connector/a", "test")).toBe(text);
  });

  it("writes v1.<iv>.<tag>.<ciphertext> without the plaintext, with a fresh IV each time", () => {
    const a = encryptText(key, "hello world", "ctx");
    const b = encryptText(key, "hello world", "ctx");
    expect(a).toMatch(/^v1\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain("hello");
    expect(Buffer.from(a.split(".")[1]!, "base64")).toHaveLength(12);
    expect(Buffer.from(a.split(".")[2]!, "base64")).toHaveLength(16);
  });

  it("refuses another key with a message naming the key's source and the fix", () => {
    const sealed = encryptText(key, "data", "block/sql-connector/a");
    const error = thrown(() => decryptText(randomBytes(32), sealed, "block/sql-connector/a", "SQLBLOCKS_ENCRYPTION_KEY"));
    expect(error).toBeInstanceOf(EncryptionKeyError);
    expect(error.message).toBe(
      "cannot decrypt block/sql-connector/a: the encryption key from SQLBLOCKS_ENCRYPTION_KEY is not the key this store was written with; " +
        "restore the original key (SQLBLOCKS_ENCRYPTION_KEY or the key file) — nothing was changed",
    );
    expect(error.cause).toBeInstanceOf(Error);
  });

  it("binds the ciphertext to its context", () => {
    const sealed = encryptText(key, "data", "block/sql-connector/a");
    expect(() => decryptText(key, sealed, "block/sql-connector/b", "test")).toThrow(EncryptionKeyError);
  });

  it("detects tampering", () => {
    const sealed = encryptText(key, "data", "ctx");
    const parts = sealed.split(".");
    const body = Buffer.from(parts[3]!, "base64");
    body[0] = body[0]! ^ 1;
    parts[3] = body.toString("base64");
    expect(() => decryptText(key, parts.join("."), "ctx", "test")).toThrow(EncryptionKeyError);
  });

  it("refuses an unknown format", () => {
    expect(() => decryptText(key, "v2.a.b.c", "ctx", "test")).toThrow(
      new EncryptionKeyError("stored data for ctx is not in a format this version can read"),
    );
    expect(() => decryptText(key, "plain text", "ctx", "test")).toThrow(EncryptionKeyError);
  });
});

describe("loadEncryptionKey", () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => {
    cleanup?.();
    cleanup = undefined;
  });
  const home = (): string => {
    const { dir, remove } = tempDir();
    cleanup = remove;
    return dir;
  };

  it("creates a 32-byte key file with mode 0600 on first use and reuses it", () => {
    const dir = path.join(home(), "nested", "home");
    const first = loadEncryptionKey(dir, {});
    const file = path.join(dir, KEY_FILE_NAME);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(first.key).toHaveLength(32);
    expect(first.source).toBe(`key file ${file}`);
    expect(Buffer.from(fs.readFileSync(file, "utf8").trim(), "base64").equals(first.key)).toBe(true);
    expect(loadEncryptionKey(dir, {}).key.equals(first.key)).toBe(true);
  });

  it("uses SQLBLOCKS_ENCRYPTION_KEY instead of the file, and creates no file", () => {
    const dir = home();
    const key = loadEncryptionKey(dir, { [ENCRYPTION_KEY_ENV]: fixedKey(7) });
    expect(key.key.equals(Buffer.alloc(32, 7))).toBe(true);
    expect(key.source).toBe("SQLBLOCKS_ENCRYPTION_KEY");
    expect(fs.existsSync(path.join(dir, KEY_FILE_NAME))).toBe(false);
  });

  it("treats an empty SQLBLOCKS_ENCRYPTION_KEY as unset", () => {
    const dir = home();
    expect(loadEncryptionKey(dir, { [ENCRYPTION_KEY_ENV]: "" }).source).toBe(`key file ${path.join(dir, KEY_FILE_NAME)}`);
  });

  it.each([
    ["too short", Buffer.alloc(16, 1).toString("base64")],
    ["too long", Buffer.alloc(33, 1).toString("base64")],
    ["not base64", "this is not a base64 key at all!!!!!!!!!!!!!"],
    ["hex", "00".repeat(32)],
  ])("refuses a malformed SQLBLOCKS_ENCRYPTION_KEY (%s)", (_what, value) => {
    const error = thrown(() => loadEncryptionKey(home(), { [ENCRYPTION_KEY_ENV]: value }));
    expect(error).toBeInstanceOf(EncryptionKeyError);
    expect(error.message).toBe(`the encryption key from SQLBLOCKS_ENCRYPTION_KEY ${KEY_RULE}`);
    expect(error.message).not.toContain(value);
  });

  it("refuses a malformed key file, naming the file", () => {
    const dir = home();
    fs.writeFileSync(path.join(dir, KEY_FILE_NAME), "garbage\n");
    expect(() => loadEncryptionKey(dir, {})).toThrow(
      new EncryptionKeyError(`the encryption key from key file ${path.join(dir, KEY_FILE_NAME)} ${KEY_RULE}`),
    );
  });
});
