import { importOptionalPackage } from "@sqlblocks/core";
import type * as Durable from "@sqlblocks/dbos";
import { CommandError } from "./errors.js";

/** The package behind `worker`, `run`, `deployments` and `runs cancel|resume`. */
export const DURABLE_PACKAGE = "@sqlblocks/dbos";

let loaded: Promise<typeof Durable> | undefined;

/**
 * Loads `@sqlblocks/dbos`, an optional peer of the CLI, resolved from the application like
 * a driver package, so that the CLI stays small for everyone who does not use workers.
 *
 * @throws {CommandError} naming the package to install when it is missing
 */
export function loadDurable(command: string): Promise<typeof Durable> {
  loaded ??= (async () => {
    // Like drivers: from the application first (working directory, main script), then the CLI.
    const durable = await importOptionalPackage<typeof Durable>(DURABLE_PACKAGE, import.meta.url);
    if (!durable) {
      throw new CommandError(
        `sqlblocks ${command} needs ${DURABLE_PACKAGE}, which is not installed: run pnpm add ${DURABLE_PACKAGE} (npm install ${DURABLE_PACKAGE}) in your project`,
      );
    }
    return durable;
  })();
  loaded.catch(() => {
    loaded = undefined;
  });
  return loaded;
}
