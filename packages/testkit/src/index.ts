/**
 * The driver conformance suite: one call runs the whole connector contract against a
 * real database through a driver plug-in.
 *
 * @example
 * // packages/driver-x/test/conformance.x.test.ts
 * import { runConformanceSuite } from "@sqlblocks/testkit";
 * import plugin from "../src/index.js";
 * runConformanceSuite({ name: "x", url: process.env.SQLBLOCKS_TEST_X_URL, plugin });
 *
 * @packageDocumentation
 */
export { type ConformanceOptions, runConformanceSuite } from "./suite.js";
export { serverGate } from "./gate.js";
export { lowerKeys, requireServer, uniqueName } from "./helpers.js";
export { closedPort, droppingServer } from "./ports.js";
export { recordingConnector, type Sent } from "./recording.js";
