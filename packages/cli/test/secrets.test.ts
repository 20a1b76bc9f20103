import path from "node:path";
import { closeDefaultStores, SqlConnector } from "@sqlblocks/core";
import { configureRunLogging, flow, flushRunHistory, getRunLogger, task } from "@sqlblocks/flow";
import { beforeAll, describe, expect, it } from "vitest";
import { type CliResult, parse, sqlblocks, tempHome } from "./helpers.js";

const CANARY = "Canary-P@ss/7f3a";
const ENCODED = encodeURIComponent(CANARY);
const home = tempHome("secrets");
const outputs: { args: string[]; result: CliResult }[] = [];

async function run(args: string[], stdin?: string): Promise<CliResult> {
  const result = await sqlblocks(home, args, { stdin });
  outputs.push({ args, result });
  return result;
}

/** Runs a command that must succeed: a failed create would turn every later check into a pass. */
async function runOk(args: string[], stdin?: string): Promise<CliResult> {
  const result = await run(args, stdin);
  expect(result.code, `${args.slice(0, 4).join(" ")}: ${result.stderr}`).toBe(0);
  return result;
}

beforeAll(async () => {
  await runOk(["block", "create", "sql-connector", "url-secret", "--url", `postgresql+pg://app:${ENCODED}@127.0.0.1:1/shop`]);
  await runOk(
    ["block", "create", "sql-connector", "stdin-secret", "--driver", "mysql", "--host", "127.0.0.1", "--port", "1", "--database", "shop", "--username", "app", "--password-stdin"],
    CANARY,
  );
  await runOk(["block", "create", "sql-connector", "url-plus-stdin", "--url", "postgres://app@127.0.0.1:1/shop", "--password-stdin"], CANARY);
  await runOk(["block", "create", "sql-connector", "local", "--url", `sqlite+better-sqlite3:///${path.join(home, "local.db")}`]);
  // The three blocks really hold the canary, so "not printed" below means hidden, not absent.
  process.env.SQLBLOCKS_HOME = home;
  for (const name of ["url-secret", "stdin-secret", "url-plus-stdin"]) {
    const info = (await SqlConnector.load(name)).connectionInfo;
    const revealed = "reveal" in info ? info.reveal() : (info.password?.reveal() ?? "");
    expect(revealed.includes(CANARY) || revealed.includes(ENCODED), name).toBe(true);
  }

  // A run whose logs and errors brushed against the secret.
  configureRunLogging({ console: false });
  const leaky = task("leaky", async () => {
    const connector = await SqlConnector.load("url-secret");
    getRunLogger().info("using %s and %s", connector, connector.renderUrl());
    getRunLogger().info(`raw: postgresql://app:${ENCODED}@127.0.0.1:1/shop`);
    throw new Error(`could not reach postgresql://app:${ENCODED}@127.0.0.1:1/shop`);
  });
  const touchLocal = task("touch", async () => {
    await using db = await SqlConnector.load("local");
    await db.execute("SELECT :value AS v", { value: CANARY });
  });
  await flow("leaky-flow", async () => {
    await touchLocal();
    await leaky().catch(() => undefined);
  })();
  await flushRunHistory();
  await closeDefaultStores();
  // Eight CLI processes and a flow: minutes on a loaded 2-CPU machine, not the default 10 s.
}, 120_000);

describe("no command ever prints a secret", () => {
  it("runs every command, as text and --json, and finds the canary password nowhere", { timeout: 240_000 }, async () => {
    const runs = parse<{ id: string }[]>(await run(["runs", "ls", "--json"]));
    expect(runs).toHaveLength(1);
    const id = runs[0]!.id;
    const commands: string[][] = [
      ["block", "ls"],
      ["block", "types"],
      ["runs", "ls"],
      ["runs", "show", id],
      ["runs", "logs", id],
      ...["url-secret", "stdin-secret", "url-plus-stdin", "sql-connector/url-secret"].map((name) => ["block", "inspect", name]),
      ...["url-secret", "stdin-secret", "url-plus-stdin"].map((name) => ["block", "test", name, "--timeout-ms", "3000"]),
      ["block", "test", "local"],
      ["block", "inspect", "missing"],
    ];
    const all = commands.flatMap((args) => [args, [...args, "--json"]]);
    all.push(
      ["block", "create", "sql-connector", "url-secret", "--url", `postgresql+pg://app:${ENCODED}@127.0.0.1:1/shop`],
      ["block", "delete", "url-secret"],
    );
    // Read-only commands: run them side by side, a few at a time.
    const first = outputs.length;
    for (let i = 0; i < all.length; i += 8) await Promise.all(all.slice(i, i + 8).map((args) => run(args)));
    await runOk(["block", "delete", "stdin-secret", "--yes"]);

    // Each command ended as it should: so its output is the real one, not an early failure.
    // (The create and delete of url-secret run side by side, so their order is not fixed.)
    const codeOf = (args: string[]) => outputs.slice(first).find((o) => o.args.join(" ") === args.join(" "))!.result.code;
    for (const args of commands.flatMap((a) => [a, [...a, "--json"]])) {
      const [, command, name] = args;
      const expected = (command === "test" && name !== "local") || name === "missing" ? "failure" : "success";
      expect(codeOf(args) === 0 ? "success" : "failure", args.join(" ")).toBe(expected);
    }

    expect(outputs.length).toBeGreaterThan(30);
    for (const { args, result } of outputs) {
      const printed = result.stdout + result.stderr;
      const shown = args.map((a) => a.replace(ENCODED, "<canary>")).join(" ");
      expect(printed, shown).not.toContain(CANARY);
      expect(printed, shown).not.toContain(ENCODED);
      expect(printed, shown).not.toContain("7f3a");
      expect(result.stderr, shown).not.toMatch(/\n\s+at /);
    }
    // The masked forms are what people see instead.
    const inspect = outputs.find((o) => o.args.join(" ") === "block inspect url-secret")!.result;
    expect(inspect.stdout).toContain("URL:      postgresql+pg://app:********@127.0.0.1:1/shop");
    const logs = outputs.find((o) => o.args.join(" ") === `runs logs ${id}`)!.result;
    expect(logs.stdout).toContain("raw: postgresql://app:********@127.0.0.1:1/shop");
    const show = outputs.find((o) => o.args.join(" ") === `runs show ${id}`)!.result;
    expect(show.stdout).toContain("error: Error: could not reach postgresql://app:********@127.0.0.1:1/shop");
  }, 180_000);
});
