import { type BlockStore, SqlConnector } from "@sqlblocks/core";
import { expect } from "vitest";

/** What one `fixtures/store-worker.mjs` process reports on stdout. */
export interface WorkerReport {
  worker?: number;
  operations: number;
  counts: Record<string, number>;
  expectedOutcomes: Record<string, number>;
  unexpected: string[];
  anomalies: string[];
  /** The tag each block the worker owns last got. */
  final: Record<string, string>;
  ms: number;
}

/**
 * After the store workers ran: every block a worker owns holds exactly what it last wrote,
 * shared names that survived are whole documents from some writer, and every owned block is
 * there — on whichever store engine the workers used.
 */
export async function expectNothingLostOrCorrupt(store: BlockStore, reports: readonly WorkerReport[], ownBlocks: number): Promise<void> {
  for (const report of reports) {
    for (const [name, tag] of Object.entries(report.final)) {
      const block = await SqlConnector.load(name, { store });
      expect(block.components.database, name).toBe(tag);
      expect(block.components.password?.reveal()).toBe(`pw-${tag}`);
      expect(block.connectArgs?.tag).toBe(tag);
      expect(String(block.connectArgs?.pad).length).toBe(Number(tag.split("-p")[1]));
    }
  }
  const documents = await store.listDocuments("sql-connector");
  for (const document of documents.filter((d) => d.name.startsWith("shared-"))) {
    const block = await SqlConnector.load(document.name, { store });
    expect(block.components.password?.reveal()).toBe(`pw-${block.components.database}`);
  }
  expect(documents.filter((d) => d.name.startsWith("own-"))).toHaveLength(ownBlocks);
}
