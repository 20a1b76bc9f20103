import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type * as Durable from "@sqlblocks/dbos";
import { CommandError } from "./errors.js";

/** The package behind `worker`, `run`, `deployments` and `runs cancel|resume`. */
export const DURABLE_PACKAGE = "@sqlblocks/dbos";

let loaded: Promise<typeof Durable> | undefined;

function locate(): string | undefined {
  // Like drivers: from the application first (working directory, main script), then the CLI.
  const bases = [path.join(process.cwd(), "package.json")];
  if (process.argv[1]) bases.push(path.resolve(process.argv[1]));
  bases.push(import.meta.filename ?? new URL(import.meta.url).pathname);
  for (const base of bases) {
    try {
      return createRequire(base).resolve(DURABLE_PACKAGE);
    } catch {
      // not found from this base; try the next
    }
  }
  return undefined;
}

/**
 * Loads `@sqlblocks/dbos`, an optional peer of the CLI, resolved from the application like
 * a driver package, so that the CLI stays small for everyone who does not use workers.
 *
 * @throws {CommandError} naming the package to install when it is missing
 */
export function loadDurable(command: string): Promise<typeof Durable> {
  loaded ??= (async () => {
    const entry = locate();
    if (!entry) {
      throw new CommandError(
        `sqlblocks ${command} needs ${DURABLE_PACKAGE}, which is not installed: run pnpm add ${DURABLE_PACKAGE} (npm install ${DURABLE_PACKAGE}) in your project`,
      );
    }
    return (await import(pathToFileURL(entry).href)) as typeof Durable;
  })();
  loaded.catch(() => {
    loaded = undefined;
  });
  return loaded;
}
