import { randomBytes, timingSafeEqual } from "node:crypto";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { isIP } from "node:net";
import path from "node:path";
import { storeHome } from "@sqlblocks/core";

/** The environment variable that sets the access token of `sqlblocks ui`. */
export const UI_TOKEN_ENV = "SQLBLOCKS_UI_TOKEN";

/** The file (under `$SQLBLOCKS_HOME`, mode 0600) that holds a generated access token. */
export const UI_TOKEN_FILE = "ui-token";

/** How the server decides who may use it. */
export interface AccessToken {
  /** The token every request must carry, or `undefined` when none is needed (loopback). */
  token: string | undefined;
  /** Where it came from. */
  source: "env" | "generated" | "none";
  /** The 0600 file a generated token was written to. */
  file?: string | undefined;
}

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1, `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (bare === "localhost" || bare === "::1") return true;
  if (isIP(bare) === 4) return bare.startsWith("127.");
  if (bare.startsWith("::ffff:")) return bare.slice(7).startsWith("127.");
  return false;
}

/**
 * The access token for a server bound to `host`: `SQLBLOCKS_UI_TOKEN` when set; otherwise,
 * for anything but loopback, a fresh random token written to `$SQLBLOCKS_HOME/ui-token`
 * (mode 0600) — a session token in the manner of Jupyter, shown once in the URL to open.
 */
export async function resolveAccessToken(host: string, env: NodeJS.ProcessEnv = process.env): Promise<AccessToken> {
  const fromEnv = env[UI_TOKEN_ENV];
  if (fromEnv !== undefined && fromEnv !== "") return { token: fromEnv, source: "env" };
  if (isLoopbackHost(host)) return { token: undefined, source: "none" };
  const token = randomBytes(24).toString("base64url");
  const home = storeHome(env);
  await mkdir(home, { recursive: true, mode: 0o700 });
  const file = path.join(home, UI_TOKEN_FILE);
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return { token, source: "generated", file };
}

/** Compares a presented token with the expected one in constant time. */
export function tokenMatches(expected: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}
