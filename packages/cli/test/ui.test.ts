import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { loadUi } from "../src/commands/ui.js";
import { bin, cliRoot, sqlblocks, tempHome } from "./helpers.js";

const home = tempHome("ui");

/** Starts `sqlblocks ui …`, waits for the URL line, and returns it with a way to stop the process. */
function startUi(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [bin, "ui", ...args], { cwd: cliRoot, env: { ...process.env, SQLBLOCKS_HOME: home, ...env } });
  let stdout = "";
  child.stdout.on("data", (chunk) => {
    stdout += String(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on("data", () => {
      const match = stdout.match(/open (http:\/\/\S+)/);
      if (match) resolve(match[1]!);
    });
    child.on("exit", (code) => reject(new Error(`sqlblocks ui exited with ${code}: ${stdout}`)));
  });
  return { url, exited, output: () => stdout, stop: () => child.kill("SIGINT") };
}

describe("sqlblocks ui", () => {
  it("serves the page on loopback, prints the URL, and stops on Ctrl+C", async () => {
    const ui = startUi(["--port", "0"]);
    const url = await ui.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(await (await fetch(new URL("/api/blocks", url))).json()).toEqual([]);
    ui.stop();
    expect(await ui.exited).toBe(0);
  });

  it("needs a token on any other interface: generates one into a 0600 file and shows it once in the URL", async () => {
    const ui = startUi(["--host", "0.0.0.0", "--port", "0"]);
    const url = await ui.url;
    while (!ui.output().includes("mode 0600")) await new Promise((resolve) => setTimeout(resolve, 20));
    const token = new URL(url).searchParams.get("token");
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(ui.output()).toContain(path.join(home, "ui-token"));
    expect(statSync(path.join(home, "ui-token")).mode & 0o777).toBe(0o600);
    const api = new URL("/api/blocks", url);
    api.search = "";
    expect((await fetch(api)).status).toBe(401);
    expect((await fetch(api, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    ui.stop();
    expect(await ui.exited).toBe(0);
  });

  it("refuses a bad port as a usage error", async () => {
    const result = await sqlblocks(home, ["ui", "--port", "http"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--port must be 0–65535, got "http"');
  });

  it("names the package to add when @sqlblocks/ui is not installed", async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), "sqlblocks-no-ui-"));
    try {
      // In a child without pnpm's NODE_PATH (a user's shell has none), resolving from an empty app only.
      const { NODE_PATH: _hoisted, ...env } = process.env;
      // The application (working directory) and the place asked to look from are an empty folder.
      const script = `import { loadUi } from ${JSON.stringify(pathToFileURL(path.join(cliRoot, "dist/commands/ui.js")).href)};
        await loadUi(${JSON.stringify(path.join(empty, "package.json"))}).then(() => console.log("found"), (e) => console.log(e.message));`;
      const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], {
        cwd: empty,
        env: { ...env, npm_config_user_agent: "pnpm/10.34.9 npm/? node/v20.20.2 linux x64" },
      });
      expect(stdout.trim()).toBe("sqlblocks ui needs the web page package @sqlblocks/ui, which is not installed: run pnpm add @sqlblocks/ui");
      // The same resolution finds it from the CLI's own folder, where it is installed.
      expect(typeof (await loadUi(path.join(cliRoot, "package.json"))).startUiServer).toBe("function");
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
