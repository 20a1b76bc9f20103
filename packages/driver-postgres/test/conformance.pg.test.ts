import { runConformanceSuite } from "@sqlblocks/testkit";
import postgresPlugin from "../src/index.js";

runConformanceSuite({
  name: "postgres",
  url: process.env.SQLBLOCKS_TEST_PG_URL ?? "postgresql+pg://postgres@127.0.0.1:5432/test",
  urlVariable: "SQLBLOCKS_TEST_PG_URL",
  plugin: postgresPlugin,
});
