import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
/** This package's folder. */
export const HERE = fileURLToPath(new URL("..", import.meta.url));

/** A temp folder removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Runs node on `file`; returns its exit code and output (no NODE_PATH: a user's shell has none). */
export function runNode(file: string, cwd: string, env: NodeJS.ProcessEnv = {}): { code: number; stdout: string; stderr: string } {
  const { NODE_PATH: _hoisted, ...base } = process.env;
  const result = spawnSync(process.execPath, [file], { cwd, env: { ...base, ...env }, encoding: "utf8", timeout: 60_000 });
  return { code: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}
