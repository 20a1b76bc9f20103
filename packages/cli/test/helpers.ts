import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";

export const cliRoot = path.resolve(import.meta.dirname, "..");
export const bin = path.join(cliRoot, "dist/bin.js");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A fresh store folder for this test file, removed afterwards. */
export function tempHome(prefix: string): string {
  const home = mkdtempSync(path.join(os.tmpdir(), `sqlblocks-cli-${prefix}-`));
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  return home;
}

/** Runs the built `sqlblocks` binary. */
export function sqlblocks(
  home: string,
  args: readonly string[],
  options: { stdin?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    // pnpm's bin shims set NODE_PATH to its hoisted folder; a user's shell does not, and
    // driver resolution must not find packages through it.
    const { NODE_PATH: _hoisted, ...env } = process.env;
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: options.cwd ?? cliRoot,
      env: { ...env, SQLBLOCKS_HOME: home, ...options.env },
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
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? "");
  });
}

/** Parses stdout as JSON. */
export function parse<T = unknown>(result: CliResult): T {
  return JSON.parse(result.stdout) as T;
}
