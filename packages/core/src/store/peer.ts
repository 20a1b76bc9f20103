import { createRequire } from "node:module";
import path from "node:path";

/**
 * Where the store looks for its optional peers (`better-sqlite3`, `pg`): the application
 * (working directory, then main script) first, then core's own location. Like drivers, so
 * pnpm's strict layout works: core itself depends on neither.
 */
function bases(): string[] {
  const list = [path.join(process.cwd(), "package.json")];
  const main = process.argv[1];
  if (main) list.push(path.resolve(main));
  list.push(import.meta.filename ?? new URL(import.meta.url).pathname);
  return list;
}

/**
 * Resolves `name` from the application. `via` names packages that may carry it as their own
 * dependency (e.g. `pg` inside `@sqlblocks/driver-postgres`), tried after the application.
 * Returns the entry file, or `undefined` when it is not installed.
 */
export function locatePeer(name: string, via: readonly string[] = []): string | undefined {
  const tried = bases();
  for (const base of tried) {
    const found = tryResolve(base, name);
    if (found) return found;
  }
  for (const carrier of via) {
    for (const base of tried) {
      const carrierEntry = tryResolve(base, carrier);
      if (!carrierEntry) continue;
      const found = tryResolve(carrierEntry, name);
      if (found) return found;
    }
  }
  return undefined;
}

function tryResolve(base: string, name: string): string | undefined {
  try {
    return createRequire(base).resolve(name);
  } catch {
    return undefined;
  }
}

/** Loads a CommonJS peer from its resolved entry file. */
export function requirePeer<T>(entry: string): T {
  return createRequire(entry)(entry) as T;
}
