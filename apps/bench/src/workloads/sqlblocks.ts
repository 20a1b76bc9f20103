/**
 * `@sqlblocks/core`, imported on the sqlblocks side only: a child process that runs the raw
 * side never loads it, so the raw side's peak RSS is the native driver's alone.
 */
export function sqlblocks(): Promise<typeof import("@sqlblocks/core")> {
  return import("@sqlblocks/core");
}
