import { runConformanceSuite } from "@sqlblocks/testkit";
import mysqlPlugin from "../src/index.js";

runConformanceSuite({
  name: "mariadb",
  url: process.env.SQLBLOCKS_TEST_MYSQL_URL ?? "mariadb+mysql2://root@127.0.0.1:3306/test",
  urlVariable: "SQLBLOCKS_TEST_MYSQL_URL",
  plugin: mysqlPlugin,
});
