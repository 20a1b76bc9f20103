import { spawn } from "node:child_process";
import fs from "node:fs";

/** What a finished command printed. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Options of {@link run}. */
export interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Appends the command line and its output to this file. */
  log?: string;
  /** Resolve with a non-zero exit code instead of rejecting. */
  allowFailure?: boolean;
  timeoutMs?: number;
}

/** A command failed: its output is in the message (the log file has all of it). */
export class CommandFailedError extends Error {
  constructor(
    readonly command: string,
    readonly result: RunResult,
  ) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split("\n").slice(-25).join("\n");
    super(`\`${command}\` exited with ${result.code}:\n${tail}`);
  }
}

/** Runs a command without a shell; rejects on a non-zero exit unless `allowFailure`. */
export function run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const line = [command, ...args].join(" ");
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
      timeout: options.timeoutMs ?? 600_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += String(chunk);
    });
    child.stderr.on("data", (chunk) => {
      stderr += String(chunk);
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      const result = { code: code ?? (signal ? 128 : 1), stdout, stderr, ms: Date.now() - started };
      if (options.log) {
        fs.appendFileSync(options.log, `\n$ ${line}   (cwd ${options.cwd}, ${result.ms} ms, exit ${result.code})\n${stdout}${stderr}`);
      }
      if (result.code !== 0 && !options.allowFailure) reject(new CommandFailedError(line, result));
      else resolve(result);
    });
  });
}

/** Runs `tasks` with at most `limit` at a time, keeping their order in the result. */
export async function pool<T>(limit: number, tasks: ReadonlyArray<() => Promise<T>>): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await (tasks[index] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}
