import { Secret, SqlConnector } from "@sqlblocks/core";
import { flow } from "@sqlblocks/flow";
import { describe, expect, it } from "vitest";
import {
  collectDeployments,
  DurableConfigError,
  deployment,
  InvalidDeploymentError,
  InvalidParametersError,
  loadDeployments,
  NoDeploymentsError,
  parseParameters,
  resolveDurableConfig,
} from "../src/index.js";
import { fixture } from "./cluster.js";

describe("parseParameters", () => {
  it("reads JSON values, else strings", () => {
    expect(parseParameters(["n=3", "ok=true", "day=2024-01-01", 'tags=["a","b"]', "name=Marvin", "empty=", "eq=a=b", 's="quoted"'])).toEqual({
      n: 3,
      ok: true,
      day: "2024-01-01",
      tags: ["a", "b"],
      name: "Marvin",
      empty: "",
      eq: "a=b",
      s: "quoted",
    });
  });

  it.each([["novalue"], ["=3"], ["x={oops"], ["x=[1,"], ['x="open']])("refuses %s", (pair) => {
    expect(() => parseParameters([pair])).toThrow(InvalidParametersError);
  });

  it("refuses a key given twice", () => {
    expect(() => parseParameters(["a=1", "a=2"])).toThrow(/given twice/);
  });
});

describe("resolveDurableConfig", () => {
  it("puts DBOS's system database beside the store database, on the same server", () => {
    const config = resolveDurableConfig({ SQLBLOCKS_STORE_URL: "postgresql+pg://app:pw@db.example:6543/team" });
    expect(config.systemDatabaseUrl).toBe("postgresql://app:pw@db.example:6543/team_dbos");
    expect(config).toMatchObject({ applicationName: "sqlblocks", applicationVersion: "sqlblocks@1", takeoverAfterMs: 60_000, heartbeatMs: 5_000, synchronousCommit: true });
  });

  it("gives each application name its own system database", () => {
    expect(resolveDurableConfig({ SQLBLOCKS_STORE_URL: "postgresql://h/team", SQLBLOCKS_DBOS_APP: "ETL-2" }).systemDatabaseUrl).toBe("postgresql://h/team_dbos_etl_2");
  });

  it("takes an explicit system database and cluster settings from the environment", () => {
    const config = resolveDurableConfig({
      SQLBLOCKS_DBOS_DATABASE_URL: "postgres://u@h/sys",
      SQLBLOCKS_DBOS_APP: "etl",
      SQLBLOCKS_DBOS_APP_VERSION: "7",
      SQLBLOCKS_WORKER_TAKEOVER_AFTER_MS: "9000",
      SQLBLOCKS_DBOS_SYNCHRONOUS_COMMIT: "off",
    });
    expect(config).toMatchObject({ systemDatabaseUrl: "postgresql://u@h/sys", applicationName: "etl", applicationVersion: "7", takeoverAfterMs: 9000, synchronousCommit: false });
  });

  it("needs PostgreSQL and says how", () => {
    expect(() => resolveDurableConfig({})).toThrow(DurableConfigError);
    expect(() => resolveDurableConfig({})).toThrow(/SQLBLOCKS_STORE_URL=postgresql:\/\//);
    expect(() => resolveDurableConfig({ SQLBLOCKS_STORE_URL: "sqlite:///x.db" })).toThrow(/must be a PostgreSQL URL/);
    expect(() => resolveDurableConfig({ SQLBLOCKS_DBOS_DATABASE_URL: "postgresql://h/db", SQLBLOCKS_WORKER_HEARTBEAT_MS: "-1" })).toThrow(/SQLBLOCKS_WORKER_HEARTBEAT_MS/);
  });
});

describe("deployment()", () => {
  const etl = flow("etl", async (_params: { day?: string }) => 1);

  it("fills in queue defaults and is found among a module's exports", () => {
    const d = deployment({ name: "nightly", flow: etl, parameters: { day: "today" }, cron: "0 3 * * *" });
    expect(d.queue).toEqual({ name: "nightly", workerConcurrency: 4, globalConcurrency: undefined, pollingIntervalMs: 1000 });
    expect(collectDeployments({ d, other: 1, list: [d] })).toEqual([d]);
  });

  it.each([
    [{ name: "Bad Name", flow: etl }, /name "Bad Name"/],
    [{ name: "x", flow: async () => 1 }, /made with flow\(\)/],
    [{ name: "x", flow: etl, queue: { workerConcurrency: 0 } }, /workerConcurrency must be a whole number/],
    [{ name: "x", flow: etl, cron: "* * *" }, /cron must have 5 fields/],
    [{ name: "x", flow: etl, parameters: [] }, /parameters must be an object/],
    [{ name: "x", flow: etl, parameters: { auth: { password: new Secret("pw-canary") } } }, /parameters\.auth\.password is a Secret; .*pass the block's name/],
    [{ name: "x", flow: etl, parameters: { db: new SqlConnector({ connectionInfo: "postgresql+pg://app:pw-canary@h/db" }) } }, /parameters\.db is a SqlConnector; .*pass a block's name instead of a connector/],
    [{ name: "x", flow: etl, parameters: { since: new Date(0) } }, /parameters\.since is a Date; .*an ISO string/],
    [{ name: "x", flow: etl, parameters: { list: [1, () => 2] } }, /parameters\.list\[1\] is a function/],
    [{ name: "x", flow: etl, parameters: { n: 10n } }, /parameters\.n is a bigint/],
    [{ name: "x", flow: etl, parameters: { n: Number.NaN } }, /parameters\.n is NaN/],
  ])("refuses %o", (options, message) => {
    expect(() => deployment(options as never)).toThrow(InvalidDeploymentError);
    expect(() => deployment(options as never)).toThrow(message);
  });

  it("refuses two deployments with one name", () => {
    expect(() => collectDeployments({ a: deployment({ name: "same", flow: etl }), b: deployment({ name: "same", flow: etl }) })).toThrow(/two deployments/);
  });

  it("a module without deployments is an error naming it", async () => {
    await expect(loadDeployments(fixture("empty.mjs"))).rejects.toBeInstanceOf(NoDeploymentsError);
    await expect(loadDeployments(fixture("missing.mjs"))).rejects.toThrow(/cannot import .*missing\.mjs/);
  });
});
