import { Driver } from "@sqlblocks/core";
import { runResolutionSuite } from "@sqlblocks/testkit";

runResolutionSuite({
  packageName: "@sqlblocks/driver-mysql",
  driver: Driver.MYSQL_MYSQL2,
  drivers: [Driver.MYSQL_MYSQL2, Driver.MARIADB_MYSQL2],
  pingSql: "SELECT 1",
  transport: "the real mysql2 driver",
  url: (port, password) => `mysql+pymysql://app:${password}@127.0.0.1:${port}/db`,
  refusedCode: "ECONNREFUSED",
  droppedCode: "PROTOCOL_CONNECTION_LOST",
});
