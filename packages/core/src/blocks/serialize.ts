import { isSecret, MASK, Secret } from "../secret/secret.js";
import { parseConnectionUrl } from "../url/index.js";

const SECRET_KEY = "$secret";

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Block data as stored (inside the encrypted payload): JSON in which every {@link Secret}
 * becomes `{ "$secret": value }`. `undefined` fields are dropped.
 */
export function serializeBlockData(data: Record<string, unknown>): string {
  return JSON.stringify(data, function replacer(this: unknown, key: string, value: unknown) {
    const raw = key === "" ? value : (this as Record<string, unknown>)[key];
    if (isSecret(raw)) return { [SECRET_KEY]: raw.reveal() };
    return value;
  });
}

/** Parses what {@link serializeBlockData} wrote, reviving secrets. */
export function deserializeBlockData(text: string): Record<string, unknown> {
  return JSON.parse(text, (_key, value: unknown) => {
    if (isPlainObject(value) && Object.keys(value).length === 1 && typeof value[SECRET_KEY] === "string") {
      return new Secret(value[SECRET_KEY]);
    }
    return value;
  }) as Record<string, unknown>;
}

/** `scheme://user:********@…`: a connection URL as shown masked (e.g. by `block inspect`). */
const MASKED_URL_PASSWORD = /^(\s*[A-Za-z][A-Za-z0-9+.\-_]*:\/\/[^\s:@/?#]*:)\*{8}@/;

/** The password of stored connection info: `{ password }` components or a `{ url }` secret. */
function storedConnectionPassword(previous: Record<string, unknown>): string | undefined {
  if (isSecret(previous.password)) return previous.password.reveal();
  if (!isSecret(previous.url)) return undefined;
  try {
    return parseConnectionUrl(previous.url).password?.reveal();
  } catch {
    return undefined;
  }
}

/**
 * Prefect's overwrite rule: a secret whose value is the mask (`********`) keeps the value
 * stored at the same place in the previous data.
 *
 * Connection info gets the same rule across its two shapes: a `url` secret whose password is
 * masked (`postgresql+pg://app:********@db/shop`) takes the stored password, whether it was
 * stored in a URL or as a components `password`, and a masked components `password` takes
 * the password of a stored `url`.
 */
export function keepMaskedSecrets(next: unknown, previous: unknown): unknown {
  if (isSecret(next)) {
    return next.reveal() === MASK && isSecret(previous) ? previous : next;
  }
  if (Array.isArray(next)) {
    return next.map((item, index) => keepMaskedSecrets(item, Array.isArray(previous) ? previous[index] : undefined));
  }
  if (isPlainObject(next)) {
    const old = isPlainObject(previous) ? previous : {};
    const kept = Object.fromEntries(Object.entries(next).map(([key, value]) => [key, keepMaskedSecrets(value, old[key])]));
    const url = kept.url;
    if (isSecret(url) && MASKED_URL_PASSWORD.test(url.reveal())) {
      const password = storedConnectionPassword(old);
      if (password !== undefined) {
        kept.url = new Secret(url.reveal().replace(MASKED_URL_PASSWORD, (_match, head: string) => `${head}${encodeURIComponent(password)}@`));
      }
    }
    if (isSecret(kept.password) && kept.password.reveal() === MASK && !isSecret(old.password)) {
      const password = storedConnectionPassword(old);
      if (password !== undefined) kept.password = new Secret(password);
    }
    return kept;
  }
  return next;
}

/** Block data fit for display: secrets become `********`, everything else is kept. */
export function maskBlockData(data: unknown): unknown {
  if (isSecret(data)) return MASK;
  if (Array.isArray(data)) return data.map(maskBlockData);
  if (isPlainObject(data)) return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, maskBlockData(v)]));
  return data;
}
