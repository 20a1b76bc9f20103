import { deployment } from "@sqlblocks/dbos";
import { flow, getRunLogger, task } from "@sqlblocks/flow";
import { quickstartFlow } from "../quickstart.js";

/** A pause before the quickstart, so that a run is still going when the demo kills its worker. */
const think = task("think", async (ms: number): Promise<void> => {
  getRunLogger().info("thinking for %d ms", ms);
  await new Promise((resolve) => setTimeout(resolve, ms));
});

/** The quickstart as a deployable flow: one parameters object, the block passed by name. */
export const quickstartRun = flow("quickstart-run", async ({ block, thinkMs = 1000 }: { block: string; thinkMs?: number }) => {
  await think(thinkMs);
  return (await quickstartFlow(block)).length;
});

/** What `sqlblocks worker dist/cluster/deployments.js` serves. */
export const quickstart = deployment({
  name: "quickstart",
  flow: quickstartRun,
  parameters: { block: "my-sqlite-block", thinkMs: 1000 },
  queue: { workerConcurrency: 2, pollingIntervalMs: 200 },
  description: "the Python quickstart, durable",
});
