import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { runConformanceSuite } from "@sqlblocks/testkit";
import { afterAll } from "vitest";
import sqlitePlugin from "../src/index.js";

const folder = mkdtempSync(path.join(os.tmpdir(), "sqlblocks-sqlite-conformance-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

runConformanceSuite({
  name: "sqlite (file)",
  url: `sqlite+better-sqlite3:///${path.join(folder, "conformance.db")}`,
  plugin: sqlitePlugin,
  required: true,
});
