/**
 * The sqlblocks driver conformance suite: one call runs the whole connector contract
 * against a real database through a driver plug-in, module by module.
 *
 * @example
 * // packages/driver-x/test/conformance.x.test.ts
 * import { runConformanceSuite } from "@sqlblocks/testkit";
 * import plugin from "../src/index.js";
 * runConformanceSuite({ name: "x", url: process.env.SQLBLOCKS_TEST_X_URL, plugin });
 *
 * @packageDocumentation
 */
export { count, rejection, type SuiteContext } from "./context.js";
export { serverGate } from "./gate.js";
export { lowerKeys, requireServer, uniqueName } from "./helpers.js";
export { barrier, deadlockByLockOrder, whileRowLocked } from "./locks.js";
export { ISOLATION_LEVELS } from "./modules/transactions.js";
export {
  CONFORMANCE_MODULES,
  type ConformanceModule,
  type ConformanceOptions,
  type ExpectedFailure,
  type FaultHooks,
  type IsolationLevel,
  type Provocation,
  type ProvocationContext,
  type ValueCase,
} from "./options.js";
export { type OptionSuiteOptions, runOptionSuite } from "./options-suite.js";
export { closedPort, droppingServer } from "./ports.js";
export { recordingConnector, type Sent } from "./recording.js";
export { type ResolutionOptions, runResolutionSuite } from "./resolution.js";
export { runConformanceSuite } from "./suite.js";
