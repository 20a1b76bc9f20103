import { runConformanceSuite } from "@sqlblocks/testkit";
import oraclePlugin from "../src/index.js";

// e.g. SQLBLOCKS_TEST_ORACLE_URL="oracle+oracledb://system:oracle@localhost:1521/FREEPDB1"
runConformanceSuite({
  name: "oracle",
  url: process.env.SQLBLOCKS_TEST_ORACLE_URL || undefined,
  urlVariable: "SQLBLOCKS_TEST_ORACLE_URL",
  plugin: oraclePlugin,
  // DROP TABLE IF EXISTS is new in 23ai; this works on every version (ORA-00942: no such table).
  dropTableSql: (table) =>
    `BEGIN EXECUTE IMMEDIATE 'DROP TABLE ${table} PURGE'; EXCEPTION WHEN OTHERS THEN IF SQLCODE != -942 THEN RAISE; END IF; END;`,
});
