import { MASK } from "../secret/secret.js";

/**
 * `scheme://user:password@`: the password runs to the last `@` before whitespace, so a
 * password with an unencoded `@` is masked whole (masking too much is the safe mistake).
 */
const URL_PASSWORD = /([A-Za-z][A-Za-z0-9+.\-_]*:\/\/)([^\s:@/?#]*):\S*@/g;

/**
 * Replaces the password of every `scheme://user:password@` inside a text with `********`.
 *
 * Use it on text that may contain a connection URL but did not come from sqlblocks, such
 * as a driver's error message, before it is logged or rethrown. Text without a URL
 * password comes back unchanged.
 *
 * @example
 * maskUrlPasswords('connect to "postgresql://app:s3cret@db/shop" failed');
 * // 'connect to "postgresql://app:********@db/shop" failed'
 */
export function maskUrlPasswords(text: string): string {
  return text.replace(URL_PASSWORD, (_match, scheme: string, username: string) => `${scheme}${username}:${MASK}@`);
}
