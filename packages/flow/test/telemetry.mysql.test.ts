import { registerTestSdk } from "./telemetry-setup.js";
import { telemetrySuite } from "./telemetry-suite.js";
import { useTempHome } from "./helpers.js";

const sdk = registerTestSdk();
useTempHome("telemetry-mysql");

telemetrySuite({
  label: "mariadb",
  url: process.env.SQLBLOCKS_TEST_MYSQL_URL ?? "mariadb+mysql2://root@127.0.0.1:3306/test",
  sdk,
  system: "mariadb",
  uniqueViolation: "1062",
  missingTable: "1146",
});
