import { importOptionalPackage } from "@sqlblocks/core";
import { CommandError, UsageError } from "../errors.js";
import type { CliIo } from "../io.js";

/** The package that holds the web page; an optional peer of the CLI. */
export const UI_PACKAGE = "@sqlblocks/ui";

/** What the CLI uses of `@sqlblocks/ui` (kept structural: the package is optional). */
export interface UiModule {
  startUiServer(options: {
    host?: string;
    port?: number;
    onError?: (line: string) => void;
  }): Promise<{ url: string; tokenFile: string | undefined; tokenRequired: boolean; close(): Promise<void> }>;
}

/** Options of `sqlblocks ui`. */
export interface UiOptions {
  host?: string;
  port?: string;
}

function packageManager(): string {
  const agent = process.env.npm_config_user_agent ?? "";
  if (agent.startsWith("yarn")) return "yarn add";
  if (agent.startsWith("npm")) return "npm install";
  if (agent.startsWith("bun")) return "bun add";
  return "pnpm add";
}

/**
 * Finds and imports `@sqlblocks/ui` the way core finds driver packages: from the application
 * (working directory, main script), then from `from` (the CLI), then beside core.
 *
 * @throws {CommandError} naming the package and the install command when it is missing
 */
export async function loadUi(from: string = import.meta.url): Promise<UiModule> {
  const loaded = await importOptionalPackage<Partial<UiModule>>(UI_PACKAGE, from);
  if (!loaded) {
    throw new CommandError(`sqlblocks ui needs the web page package ${UI_PACKAGE}, which is not installed: run ${packageManager()} ${UI_PACKAGE}`);
  }
  if (typeof loaded.startUiServer !== "function") {
    throw new CommandError(`${UI_PACKAGE} is installed but does not export startUiServer: install a version that matches this CLI`);
  }
  return loaded as UiModule;
}

/** `sqlblocks ui`: starts the web page for blocks and runs and serves it until interrupted. */
export async function uiCommand(
  io: CliIo,
  options: UiOptions,
  stopSignal: Promise<unknown> = interrupted(),
  from: string = import.meta.url,
): Promise<void> {
  let port: number | undefined;
  if (options.port !== undefined) {
    if (!/^\d+$/.test(options.port) || Number(options.port) > 65535) throw new UsageError(`--port must be 0–65535, got "${options.port}"`);
    port = Number(options.port);
  }
  const ui = await loadUi(from);
  let server: Awaited<ReturnType<UiModule["startUiServer"]>>;
  try {
    server = await ui.startUiServer({ host: options.host, port, onError: (line) => io.err(`ui: ${line}`) });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") throw new CommandError(`port ${port ?? 4300} is in use: pass --port <n> (0 picks a free one)`);
    if (code === "EADDRNOTAVAIL") throw new CommandError(`cannot bind ${options.host}: not an address of this machine`);
    throw error;
  }
  io.out(`sqlblocks ui: open ${server.url}`);
  if (server.tokenFile) io.out(`The access token is in ${server.tokenFile} (mode 0600); it changes each time the server starts.`);
  else if (server.tokenRequired) io.out("Requests must carry the token from SQLBLOCKS_UI_TOKEN (the page asks once, or open the URL with ?token=…).");
  io.err("Press Ctrl+C to stop.");
  await stopSignal;
  await server.close();
}

function interrupted(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
