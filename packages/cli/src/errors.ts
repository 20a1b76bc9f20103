/** Exit codes of the `sqlblocks` command. */
export const ExitCode = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
} as const;

/** The command was used wrongly (missing or conflicting options): exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** The command could not do its work: exit code 1, message printed as one line. */
export class CommandError extends Error {
  override readonly name = "CommandError";
}
