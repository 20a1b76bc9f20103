import { BlockStore, DatabaseError, isSqlBlocksError, type SqlConnector } from "@sqlblocks/core";
import { expect } from "vitest";
import { type CanaryProbes, errorRenderings, renderings } from "./canary.js";
import { type ChildResult, runCli, runFixture } from "./child.js";

/** One way to reach a server wrongly (or rightly) with canary secrets. */
export interface ServerCase {
  /** Probe name, e.g. "wrong host". */
  probe: string;
  make: () => SqlConnector | Promise<SqlConnector>;
  /** The statement succeeds (e.g. trust authentication lets a wrong password in). */
  connects?: boolean;
  /** The driver code the connection failure must carry, when it has a stable one. */
  driverCode?: string | RegExp;
  /** Skip (locally) or fail (CI) when the real server is down. */
  needsServer?: boolean;
}

async function failure(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
    return undefined;
  } catch (error) {
    return error;
  }
}

/**
 * Drives a connector through every entry point and checks every error and rendering for
 * canaries; saves it as block `name` in `home` so the CLI can be probed too.
 */
export async function probeServerCase(probes: CanaryProbes, home: string, name: string, testCase: ServerCase, label: string): Promise<void> {
  const connector = await testCase.make();
  try {
    const attempts: [string, () => Promise<unknown>][] = [
      ["execute", () => connector.execute("SELECT 1 AS one")],
      ["fetchMany", () => connector.fetchMany("SELECT 1 AS one", {}, 1)],
      ["transaction", () => connector.transaction((tx) => tx.execute("SELECT 1 AS one"))],
      [
        "stream",
        async () => {
          for await (const _chunk of connector.stream("SELECT 1 AS one")) {
            // drain
          }
        },
      ],
      ["getDataSource", () => connector.getDataSource()],
    ];
    for (const [entry, run] of attempts) {
      const error = await failure(run);
      if (testCase.connects) {
        expect(error, `${testCase.probe} ${entry}`).toBeUndefined();
      } else {
        expect(isSqlBlocksError(error), `${testCase.probe} ${entry}: ${String(error)}`).toBe(true);
        // A refused or unreachable server is a lost connection; a refused login or database a plain DatabaseError or a permission error.
        expect(error).toBeInstanceOf(DatabaseError);
        expect((error as { code: string }).code).toMatch(/^SQLBLOCKS_(DATABASE|CONNECTION_LOST|PERMISSION_DENIED)$/);
        if (testCase.driverCode !== undefined) expect((error as { driverCode?: string }).driverCode).toMatch(testCase.driverCode);
        probes.check(`${label} ${testCase.probe}: error from ${entry}`, errorRenderings(error));
      }
    }
    if (testCase.connects) {
      // In: then make the database reject a statement.
      const error = await failure(() => connector.execute("SELECT * FROM no_such_table_for_canary"));
      expect(isSqlBlocksError(error)).toBe(true);
      probes.check(`${label} ${testCase.probe}: statement error`, errorRenderings(error));
    }
    probes.check(`${label} ${testCase.probe}: connector after use`, renderings(connector));
    const store = await BlockStore.open({ home, env: {} });
    try {
      await connector.save(name, { store, overwrite: true });
    } finally {
      await store.close();
    }
  } finally {
    await connector.close();
  }
  for (const args of [
    ["block", "test", name, "--timeout-ms", "30000"],
    ["block", "test", name, "--timeout-ms", "30000", "--json"],
    ["block", "inspect", name, "--json"],
  ]) {
    const result = await runCli(home, args);
    if (args[1] === "test") expect(result.code, `${testCase.probe}: ${result.stdout}${result.stderr}`).toBe(testCase.connects ? 0 : 1);
    probes.check(`${label} ${testCase.probe}: CLI ${args.filter((a) => a.startsWith("--json") || !a.startsWith("-")).slice(0, 2).join(" ")}${args.includes("--json") ? " --json" : ""}`, result.stdout + result.stderr);
  }
}

/**
 * Runs the flow fixture against `secretBlocks` in `home` and probes its console output and
 * stored run records. The flow connects, then fails on purpose.
 */
export async function probeFlowRun(probes: CanaryProbes, home: string, label: string, localBlock: string, secretBlocks: string[]): Promise<ChildResult> {
  const flowName = `canary-flow-${label.toLowerCase().replace(/[^a-z]+/g, "-")}`;
  const result = await runFixture("flow-canary.mjs", [flowName, localBlock, ...secretBlocks], {
    env: { SQLBLOCKS_HOME: home, SQLBLOCKS_LOGGING_LEVEL: "DEBUG" },
  });
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).toContain("failed on purpose after using");
  expect(result.stderr).toContain("no_such_table_for_canary");
  probes.check(`${label} flow run console: stdout`, result.stdout);
  probes.check(`${label} flow run console: stderr`, result.stderr);
  const store = await BlockStore.open({ home, env: {} });
  try {
    for (const table of ["flow_runs", "task_runs", "run_logs"]) {
      const rows = await store.db.all(`SELECT * FROM ${table}`);
      expect(rows.length).toBeGreaterThan(0);
      probes.check(`${label} run records: ${table}`, JSON.stringify(rows));
    }
  } finally {
    await store.close();
  }
  const runs = JSON.parse((await runCli(home, ["runs", "ls", "--json", "--flow", flowName])).stdout) as { id: string }[];
  for (const command of ["show", "logs"]) {
    for (const json of [[], ["--json"]]) {
      const output = await runCli(home, ["runs", command, runs[0]!.id, ...json]);
      expect(output.code).toBe(0);
      probes.check(`${label} CLI runs ${command}${json.length ? " --json" : ""}`, output.stdout + output.stderr);
    }
  }
  return result;
}
