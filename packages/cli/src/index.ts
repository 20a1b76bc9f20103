/**
 * The `sqlblocks` command line, as a library: {@link runCli} runs it with given arguments.
 *
 * @packageDocumentation
 */
export { createProgram, runCli } from "./program.js";
export { ExitCode, CommandError, UsageError } from "./errors.js";
export type { CliIo } from "./io.js";
