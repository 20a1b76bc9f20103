import { Driver } from "@sqlblocks/core";
import { runResolutionSuite } from "@sqlblocks/testkit";

runResolutionSuite({
  packageName: "@sqlblocks/driver-oracle",
  driver: Driver.ORACLE_ORACLEDB,
  pingSql: "SELECT 1 FROM DUAL",
  transport: "the real node-oracledb thin driver",
  url: (port, password) => `oracle+cx_oracle://scott:${password}@127.0.0.1:${port}/?service_name=XE`,
  refusedCode: "NJS-503",
  droppedCode: /^NJS-5\d\d$/,
});
