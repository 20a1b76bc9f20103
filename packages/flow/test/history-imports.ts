import { type RunOptions, resolveRunOptions, retryDelayFor } from "../src/options.js";

export { type FlowRunRecord, RunHistory, RunState } from "../src/index.js";

/** `retryDelayFor` on options given the way users write them. */
export function retryDelayForTest(options: RunOptions, retry: number, random?: () => number): number {
  return retryDelayFor(resolveRunOptions({ name: "t", ...options }, "t", "task"), retry, random);
}
