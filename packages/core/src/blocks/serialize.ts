import { isSecret, MASK, Secret } from "../secret/secret.js";

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

/**
 * Prefect's overwrite rule: a secret whose value is the mask (`********`) keeps the value
 * stored at the same place in the previous data.
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
    return Object.fromEntries(Object.entries(next).map(([key, value]) => [key, keepMaskedSecrets(value, old[key])]));
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
