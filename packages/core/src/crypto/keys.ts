import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { EncryptionKeyError } from "../errors.js";

/** The environment variable that supplies the key as base64 (32 bytes). */
export const ENCRYPTION_KEY_ENV = "SQLBLOCKS_ENCRYPTION_KEY";
/** The key file created beside the store database on first use. */
export const KEY_FILE_NAME = "encryption.key";
const KEY_BYTES = 32;

/** An encryption key and where it came from (for error messages; never the key itself). */
export interface EncryptionKey {
  readonly key: Buffer;
  readonly source: string;
}

function decodeKey(text: string, source: string): Buffer {
  const trimmed = text.trim();
  const key = Buffer.from(trimmed, "base64");
  if (key.length !== KEY_BYTES || !/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) {
    throw new EncryptionKeyError(
      `the encryption key from ${source} must be ${KEY_BYTES} bytes in base64 (generate one with: openssl rand -base64 32)`,
    );
  }
  return key;
}

/**
 * Gets the store's encryption key: `SQLBLOCKS_ENCRYPTION_KEY` if set, else the key file in
 * `home`, created with mode 0600 on first use. Two processes racing to create it agree on
 * one key because the file is created exclusively.
 */
export function loadEncryptionKey(home: string, env: NodeJS.ProcessEnv = process.env): EncryptionKey {
  const fromEnv = env[ENCRYPTION_KEY_ENV];
  if (fromEnv !== undefined && fromEnv !== "") {
    return { key: decodeKey(fromEnv, ENCRYPTION_KEY_ENV), source: ENCRYPTION_KEY_ENV };
  }
  const file = path.join(home, KEY_FILE_NAME);
  const source = `key file ${file}`;
  try {
    const text = fs.readFileSync(file, "utf8");
    // An empty file is one another process has just created and not yet written: wait below.
    if (text.trim() !== "") return { key: decodeKey(text, source), source };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  fs.mkdirSync(home, { recursive: true, mode: 0o700 });
  const created = randomBytes(KEY_BYTES).toString("base64");
  try {
    fs.writeFileSync(file, `${created}\n`, { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    // Another process created it first: use theirs. It may not be fully written yet.
    for (let attempt = 0; attempt < 50; attempt++) {
      const text = fs.readFileSync(file, "utf8");
      if (text.trim().length > 0) return { key: decodeKey(text, source), source };
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
  return { key: decodeKey(fs.readFileSync(file, "utf8"), source), source };
}

/** The file `sqlblocks key rotate` writes the new key to, beside the key file. */
export const NEW_KEY_FILE_NAME = `${KEY_FILE_NAME}.new`;

/**
 * A short, stable identifier of a key (16 hex digits of a SHA-256 over a fixed label and
 * the key): recorded with each document so rotation and error messages can tell keys apart.
 * It reveals nothing usable about the key.
 */
export function keyFingerprint(key: Buffer): string {
  return createHash("sha256").update("sqlblocks key id\0").update(key).digest("hex").slice(0, 16);
}

/** Decodes a base64 key given on the command line's stdin or elsewhere; `source` names it in errors. */
export function parseEncryptionKey(text: string, source: string): EncryptionKey {
  return { key: decodeKey(text, source), source };
}

/**
 * The key `sqlblocks key rotate` left in `encryption.key.new` beside the key file, if any.
 * The store reads documents sealed with it until the file is moved into place.
 */
export function loadPendingKey(home: string): EncryptionKey | undefined {
  const file = path.join(home, NEW_KEY_FILE_NAME);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  return text.trim() === "" ? undefined : { key: decodeKey(text, `key file ${file}`), source: `key file ${file}` };
}
