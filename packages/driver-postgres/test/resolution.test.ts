import { Driver } from "@sqlblocks/core";
import { runResolutionSuite } from "@sqlblocks/testkit";

runResolutionSuite({
  packageName: "@sqlblocks/driver-postgres",
  driver: Driver.POSTGRESQL_PG,
  pingSql: "SELECT 1",
  transport: "the real pg driver",
  url: (port, password) => `postgresql+psycopg2://app:${password}@127.0.0.1:${port}/db`,
  refusedCode: "ECONNREFUSED",
  // pg reports "Connection terminated unexpectedly" without a code.
  droppedCode: null,
});
