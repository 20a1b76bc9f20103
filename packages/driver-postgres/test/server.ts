import { requireServer } from "@sqlblocks/testkit";
import { beforeAll, type TestContext } from "vitest";

/**
 * Checks once that the server answers. When it does not: fail in CI, else skip every test
 * that calls `skipUnlessUp` with a visible warning.
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

/** `url` with one more query parameter. */
export function withQuery(url: string, name: string, value: string): string {
  return `${url}${url.includes("?") ? "&" : "?"}${name}=${encodeURIComponent(value)}`;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
