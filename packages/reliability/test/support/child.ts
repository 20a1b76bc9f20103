import { spawn } from "node:child_process";
import path from "node:path";
import { cliBin, fixturesDir, packageRoot } from "./env.js";

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node <script> ...args` from this package's folder (so driver packages resolve from
 * our dependencies) with `env` added, and collects its output. A child that outlives
 * `timeoutMs` is killed, so nothing here can hang the suite.
 */
export function runNode(
  script: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; stdin?: string; timeoutMs?: number } = {},
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    // pnpm's bin shims set NODE_PATH to its hoisted folder; a user's shell does not.
    const { NODE_PATH: _hoisted, ...env } = process.env;
    const child = spawn(process.execPath, [script, ...args], {
      cwd: packageRoot,
      env: { ...env, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += String(chunk);
    });
    child.stderr.on("data", (chunk) => {
      stderr += String(chunk);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? "");
  });
}

/** Runs one of the `.mjs` scripts in test/fixtures. */
export function runFixture(
  name: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<ChildResult> {
  return runNode(path.join(fixturesDir, name), args, options);
}

/** Runs the built `sqlblocks` CLI against the store in `home`. */
export function runCli(home: string, args: readonly string[], options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ChildResult> {
  return runNode(cliBin, args, { ...options, env: { SQLBLOCKS_HOME: home, ...options.env }, timeoutMs: 120_000 });
}
