import { runConformanceSuite } from "@sqlblocks/testkit";
import mssqlPlugin from "../src/index.js";

// e.g. SQLBLOCKS_TEST_MSSQL_URL="mssql+tedious://sa:YourStrong!Passw0rd@localhost:1433/master?trustServerCertificate=true"
runConformanceSuite({
  name: "mssql",
  url: process.env.SQLBLOCKS_TEST_MSSQL_URL || undefined,
  urlVariable: "SQLBLOCKS_TEST_MSSQL_URL",
  plugin: mssqlPlugin,
});
