import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { EncryptionKeyError } from "../errors.js";

const ALGORITHM = "aes-256-gcm";
const IV_BYTES = 12;
const FORMAT = "v1";

/**
 * Encrypts text with AES-256-GCM. `context` is bound as additional authenticated data, so a
 * ciphertext copied onto another block's row does not decrypt.
 *
 * Output: `v1.<iv>.<tag>.<ciphertext>`, each part base64.
 */
export function encryptText(key: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv);
  cipher.setAAD(Buffer.from(context, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [FORMAT, iv.toString("base64"), cipher.getAuthTag().toString("base64"), body.toString("base64")].join(".");
}

/**
 * Decrypts what {@link encryptText} produced.
 *
 * @throws {EncryptionKeyError} when the key is not the one the text was encrypted with
 */
export function decryptText(key: Buffer, sealed: string, context: string, keySource: string): string {
  const [format, iv, tag, body] = sealed.split(".");
  if (format !== FORMAT || iv === undefined || tag === undefined || body === undefined) {
    throw new EncryptionKeyError(`stored data for ${context} is not in a format this version can read`);
  }
  try {
    const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(iv, "base64"));
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(Buffer.from(tag, "base64"));
    return Buffer.concat([decipher.update(Buffer.from(body, "base64")), decipher.final()]).toString("utf8");
  } catch (error) {
    throw new EncryptionKeyError(
      `cannot decrypt ${context}: the encryption key from ${keySource} is not the key this store was written with; ` +
        "restore the original key (SQLBLOCKS_ENCRYPTION_KEY or the key file) — nothing was changed",
      { cause: error },
    );
  }
}
