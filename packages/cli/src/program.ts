import { createRequire } from "node:module";
import { closeDefaultStores } from "@sqlblocks/core";
import { Command, CommanderError, Option } from "commander";
import {
  blockCreate,
  blockDelete,
  blockInspect,
  blockList,
  blockTest,
  blockTypes,
  DEFAULT_BLOCK_TYPE,
} from "./commands/block.js";
import { registerKeyCommands } from "./commands/key.js";
import { runsList, runsLogs, runsShow } from "./commands/runs.js";
import { registerStoreCommands } from "./commands/store.js";
import { registerDurableCommands } from "./commands/durable.js";
import { uiCommand } from "./commands/ui.js";
import { ExitCode, UsageError } from "./errors.js";
import { errorLine } from "./format.js";
import { type CliIo, processIo } from "./io.js";

const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

/**
 * Builds the `sqlblocks` command tree. Actions write through `io`; errors are thrown and
 * turned into exit codes by {@link runCli}.
 */
export function createProgram(io: CliIo): Command {
  const program = new Command("sqlblocks")
    .description("Manage sqlblocks blocks and inspect flow runs. The store is $SQLBLOCKS_STORE_URL (PostgreSQL) or $SQLBLOCKS_HOME (default ~/.sqlblocks).")
    .version(version)
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text.trimEnd()), writeErr: (text) => io.err(text.trimEnd()) })
    .showSuggestionAfterError()
    .allowExcessArguments(false);

  const block = program.command("block").description("list, inspect, create, delete and test blocks");

  block
    .command("ls")
    .description("list saved blocks")
    .option("--json", "print JSON")
    .action((options: { json?: boolean }) => blockList(io, options));

  block
    .command("inspect")
    .description("show a block, secrets masked")
    .argument("<slug/name>", "the block, e.g. sql-connector/warehouse (a bare name means sql-connector)")
    .option("--json", "print JSON")
    .action((reference: string, options: { json?: boolean }) => blockInspect(io, reference, options));

  block
    .command("create")
    .description("save a new block; the password comes from a prompt or --password-stdin, never from an option")
    // `block create <name>` (the type defaults to sql-connector) or `block create <type> <name>`.
    .usage("[options] [type] <name>")
    .argument("<type-or-name>", "the block type, sql-connector (the default, may be left out); or the name")
    .argument("[name]", "the block name: lowercase letters, digits, - and _")
    .option("--url <url>", "connection URL, e.g. postgresql+pg://app@db:5432/shop")
    .option("--driver <driver>", "driver, e.g. postgresql+pg, mysql+mysql2, sqlite+better-sqlite3")
    .option("--host <host>", "database host")
    .option("--port <port>", "database port")
    .option("--database <database>", "database name (SQLite: the file path)")
    .option("--username <username>", "user name")
    .option("--password-stdin", "read the password from standard input")
    .option("--fetch-size <n>", "rows per fetchMany when no size is given (default 1)")
    .option("--overwrite", "replace a block of the same name")
    .option("--json", "print JSON")
    .addOption(new Option("--password <password>").hideHelp().argParser(() => {
      throw new UsageError("there is no --password option, so passwords stay out of shell history: use --password-stdin or the prompt");
    }))
    .action((first: string, second: string | undefined, options: Parameters<typeof blockCreate>[3]) =>
      // One argument is the name, with the default type; two are <type> <name>.
      second === undefined ? blockCreate(io, DEFAULT_BLOCK_TYPE, first, options) : blockCreate(io, first, second, options),
    );

  block
    .command("delete")
    .description("delete a block (asks first on a terminal; --yes otherwise)")
    .argument("<slug/name>", "the block, e.g. sql-connector/warehouse")
    .option("-y, --yes", "do not ask for confirmation")
    .action((reference: string, options: { yes?: boolean }) => blockDelete(io, reference, options));

  block
    .command("types")
    .description("list block types")
    .option("--json", "print JSON")
    .action((options: { json?: boolean }) => blockTypes(io, options));

  block
    .command("test")
    .description("connect with a sql-connector block, run a trivial query and print the latency")
    .argument("<slug/name>", "the block, e.g. sql-connector/warehouse")
    .option("--timeout-ms <ms>", "give up after this long (default 10000)")
    .option("--json", "print JSON")
    .action((reference: string, options: { json?: boolean; timeoutMs?: string }) => blockTest(io, reference, options));

  const runs = program.command("runs").description("list flow runs and show their tasks, statements and logs");

  runs
    .command("ls")
    .description("list flow runs, most recent first")
    .option("--limit <n>", "how many (default 20)")
    .option("--flow <name>", "only runs of this flow")
    .option("--state <state>", "only runs in this state")
    .option("--json", "print JSON")
    .action((options: Parameters<typeof runsList>[1]) => runsList(io, options));

  runs
    .command("show")
    .description("show a flow run with its task runs and the statements they ran")
    .argument("<id>", "the run id (or a unique prefix of it)")
    .option("--json", "print JSON")
    .action((id: string, options: { json?: boolean }) => runsShow(io, id, options));

  runs
    .command("logs")
    .description("print the log of a flow run")
    .argument("<id>", "the run id (or a unique prefix of it)")
    .option("--json", "print JSON")
    .action((id: string, options: { json?: boolean }) => runsLogs(io, id, options));

  registerStoreCommands(program, io);
  registerKeyCommands(program, io);

  registerDurableCommands(program, io);
  program.command("ui").description("serve the web page for blocks and runs (needs @sqlblocks/ui)").option("--host <host>", "interface to bind (default 127.0.0.1; anything else requires a token)").option("--port <port>", "port (default 4300; 0 picks a free one)").action((options: { host?: string; port?: string }) => uiCommand(io, options));

  return program;
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and returns the exit code:
 * 0 ok, 1 failure, 2 usage. Errors are printed as one line `error: <message>`.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const program = createProgram(io);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return ExitCode.OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return ExitCode.OK;
      // Commander has already printed its one-line message (unknown option, missing argument, …).
      return ExitCode.USAGE;
    }
    io.err(`error: ${errorLine(error)}`);
    return error instanceof UsageError ? ExitCode.USAGE : ExitCode.FAILURE;
  } finally {
    await closeDefaultStores().catch(() => undefined);
  }
}
