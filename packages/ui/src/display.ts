import { isSecret, MASK, maskUrlPasswords, parseConnectionUrl, Secret } from "@sqlblocks/core";

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A secret as the page shows it: `********`, except a connection URL, which is shown with
 * its password masked (`postgresql+pg://app:********@db/shop`) so it can be edited. If the
 * password would still show anywhere in the text (e.g. in the query string), the whole
 * value is masked.
 */
function maskSecret(secret: Secret): string {
  const value = secret.reveal();
  if (!/^[A-Za-z][A-Za-z0-9+.\-_]*:\/\//.test(value)) return MASK;
  let password: string | undefined;
  try {
    password = parseConnectionUrl(secret).password?.reveal();
  } catch {
    return MASK;
  }
  const masked = maskUrlPasswords(value);
  if (password && (masked.includes(password) || masked.includes(encodeURIComponent(password)))) return MASK;
  return masked;
}

/** Block data fit for the page: every secret masked, everything else as stored. */
export function maskForDisplay(data: unknown): unknown {
  if (isSecret(data)) return maskSecret(data);
  if (Array.isArray(data)) return data.map(maskForDisplay);
  if (isPlainObject(data)) return Object.fromEntries(Object.entries(data).map(([key, value]) => [key, maskForDisplay(value)]));
  return data;
}

/**
 * Block data as the page sent it, made ready for the block class: the strings at secret
 * paths become {@link Secret} values (a `********` among them keeps the stored secret on
 * save), empty strings are dropped.
 */
export function reviveFormData(data: unknown, secretPaths: readonly string[], path = ""): unknown {
  if (typeof data === "string") {
    if (secretPaths.includes(path)) return new Secret(data);
    return data;
  }
  if (Array.isArray(data)) return data;
  if (isPlainObject(data)) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(data)) {
      if (value === "" || value === null || value === undefined) continue;
      out[key] = reviveFormData(value, secretPaths, path === "" ? key : `${path}.${key}`);
    }
    return out;
  }
  return data;
}
