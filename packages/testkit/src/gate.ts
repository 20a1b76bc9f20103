import { beforeAll, type TestContext } from "vitest";
import { requireServer } from "./helpers.js";

/**
 * Checks once that a server answers. When it does not: fail in CI, else skip every test
 * that calls the returned gate, with a visible warning.
 *
 * @example
 * const skipUnlessUp = serverGate("postgres", () => connector.execute("SELECT 1").then(() => {}));
 * it("…", async (context) => { skipUnlessUp(context); … });
 */
export function serverGate(name: string, ping: () => Promise<void>): (context: TestContext) => void {
  let unreachable: unknown;
  beforeAll(async () => {
    try {
      await ping();
    } catch (error) {
      if (requireServer()) throw error;
      unreachable = error;
      console.warn(`[sqlblocks] SKIPPED ${name}: ${(error as Error).message}`);
    }
  });
  return (context) => {
    if (unreachable) context.skip();
  };
}
