import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BlockStore, registerDriver } from "@sqlblocks/core";
import { afterAll, beforeAll, describe, it } from "vitest";
import { type ContextState, createContext, type SuiteContext } from "./context.js";
import { requireServer, uniqueName } from "./helpers.js";
import { blockTests } from "./modules/blocks.js";
import { errorTests } from "./modules/errors.js";
import { faultTests } from "./modules/faults.js";
import { pagingTests } from "./modules/paging.js";
import { statementTests } from "./modules/statements.js";
import { streamTests } from "./modules/stream.js";
import { transactionTests } from "./modules/transactions.js";
import { valueTests } from "./modules/values.js";
import { CONFORMANCE_MODULES, type ConformanceModule, type ConformanceOptions } from "./options.js";

const MODULES: Record<ConformanceModule, (context: SuiteContext) => void> = {
  statements: statementTests,
  paging: pagingTests,
  stream: streamTests,
  transactions: transactionTests,
  values: valueTests,
  errors: errorTests,
  faults: faultTests,
  blocks: blockTests,
};

/**
 * Runs the connector contract of SPEC §4 against a real database through a driver
 * plug-in, module by module (see {@link ConformanceModule}): statements, paging and
 * reset, stream, transactions with every isolation level, values and type mapping, the
 * error classes, faults (given kill hooks) and blocks.
 *
 * @example
 * // packages/driver-x/test/conformance.x.test.ts
 * import { runConformanceSuite } from "@sqlblocks/testkit";
 * import plugin from "../src/index.js";
 * runConformanceSuite({ name: "x", url: process.env.SQLBLOCKS_TEST_X_URL, plugin });
 */
export function runConformanceSuite(options: ConformanceOptions): void {
  const title = `${options.name} conformance`;
  if (!options.url) {
    const hint = options.urlVariable ? `: set ${options.urlVariable} to run it` : "";
    if (options.required ?? false) {
      it(`${title}${hint}`, () => {
        throw new Error(`no URL for the ${options.name} conformance suite${hint}`);
      });
      return;
    }
    describe.skip(`${title} (skipped${hint})`, () => {
      it("needs a server", () => {});
    });
    return;
  }
  const url = options.url;
  const required = options.required ?? requireServer();

  describe(title, () => {
    const state: ContextState = {};
    const context = createContext(options, url, uniqueName("sqlb_conf"), state);
    let home: string | undefined;

    beforeAll(async () => {
      registerDriver(options.plugin);
      home = mkdtempSync(path.join(os.tmpdir(), "sqlblocks-conformance-"));
      state.store = await BlockStore.open({ home, env: {} });
      const connector = context.make();
      state.connector = connector;
      try {
        await connector.ping();
      } catch (error) {
        if (required) throw error;
        state.unreachable = error;
        console.warn(`[sqlblocks] SKIPPED ${title}: ${(error as Error).message}`);
        return;
      }
      await connector.execute(context.dropSql(context.table));
      await connector.execute(`CREATE TABLE ${context.table} (id INTEGER PRIMARY KEY, name VARCHAR(100), score INTEGER)`);
    });

    afterAll(async () => {
      const connector = state.connector;
      if (connector && !state.unreachable) {
        await connector.resetConnections();
        await connector.execute(context.dropSql(context.table)).catch(() => undefined);
      }
      await connector?.close();
      await state.store?.close();
      if (home) rmSync(home, { recursive: true, force: true });
    });

    for (const name of options.modules ?? CONFORMANCE_MODULES) {
      describe(name, () => MODULES[name](context));
    }
  });
}
