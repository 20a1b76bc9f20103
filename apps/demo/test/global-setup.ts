import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";

/** The test runs the built demo, as `pnpm demo` does: build it first. */
export default function setup(): void {
  const root = path.resolve(import.meta.dirname, "..");
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
}
