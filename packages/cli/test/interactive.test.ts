import { BlockStore, closeDefaultStores, SqlConnector } from "@sqlblocks/core";
import { afterAll, describe, expect, it } from "vitest";
import { type CliIo, ExitCode, runCli } from "../src/index.js";
import { tempHome } from "./helpers.js";

const home = tempHome("interactive");
process.env.SQLBLOCKS_HOME = home;
afterAll(() => closeDefaultStores());

/** A terminal session: answers prompts from a script and records what was printed. */
function terminal(answers: { password?: string; confirm?: boolean } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const prompts: string[] = [];
  const io: CliIo = {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    interactive: true,
    readStdin: async () => {
      throw new Error("stdin is a terminal");
    },
    promptPassword: async (message) => {
      prompts.push(message);
      return answers.password ?? "";
    },
    confirm: async (message) => {
      prompts.push(message);
      return answers.confirm ?? false;
    },
  };
  return { io, out, err, prompts };
}

async function storedPassword(name: string): Promise<string | undefined> {
  const store = await BlockStore.open({ home });
  try {
    const block = await SqlConnector.load(name, { store });
    return block.components.password?.reveal();
  } finally {
    await store.close();
  }
}

describe("on a terminal", () => {
  it("prompts for the password (not echoed to the output) when there is a user", async () => {
    const session = terminal({ password: "typed-secret" });
    const code = await runCli(
      ["block", "create", "sql-connector", "prompted", "--driver", "postgres", "--host", "db", "--database", "shop", "--username", "app"],
      session.io,
    );
    expect(code).toBe(ExitCode.OK);
    expect(session.prompts).toEqual(["Password for app@db (leave empty for none):"]);
    expect(session.out.join("\n")).toBe("Saved sql-connector/prompted: postgresql+pg://app:********@db/shop");
    expect(await storedPassword("prompted")).toBe("typed-secret");
  });

  it("an empty answer means no password; SQLite blocks are never prompted", async () => {
    const session = terminal({ password: "" });
    expect(await runCli(["block", "create", "sql-connector", "trusting", "--url", "postgres://app@db/shop"], session.io)).toBe(0);
    expect(await storedPassword("trusting")).toBeUndefined();
    const sqlite = terminal({ password: "never-asked" });
    expect(await runCli(["block", "create", "sql-connector", "file", "--url", "sqlite:///x.db"], sqlite.io)).toBe(0);
    expect(sqlite.prompts).toEqual([]);
  });

  it("asks before deleting, and keeps the block when the answer is no", async () => {
    const no = terminal({ confirm: false });
    expect(await runCli(["block", "delete", "trusting"], no.io)).toBe(ExitCode.OK);
    expect(no.prompts).toEqual(["Delete block sql-connector/trusting?"]);
    expect(no.err).toEqual(["Nothing deleted."]);
    const yes = terminal({ confirm: true });
    expect(await runCli(["block", "delete", "trusting"], yes.io)).toBe(ExitCode.OK);
    expect(yes.out).toEqual(["Deleted sql-connector/trusting"]);
  });

  it("maps failures to exit code 1 and misuse to 2, each as one error line", async () => {
    const missing = terminal();
    expect(await runCli(["block", "inspect", "ghost"], missing.io)).toBe(ExitCode.FAILURE);
    expect(missing.err).toHaveLength(1);
    expect(missing.err[0]).toMatch(/^error: no SQL Connector block named "ghost"/);
    const misuse = terminal();
    expect(await runCli(["block", "inspect", "a/"], misuse.io)).toBe(ExitCode.USAGE);
    expect(misuse.err).toEqual(['error: invalid block reference "a/": write <slug>/<name>, e.g. sql-connector/warehouse']);
  });
});
