import { Driver } from "@sqlblocks/core";
import { runResolutionSuite } from "@sqlblocks/testkit";

runResolutionSuite({
  packageName: "@sqlblocks/driver-mssql",
  driver: Driver.MSSQL_TEDIOUS,
  pingSql: "SELECT 1",
  transport: "the real mssql driver",
  url: (port, password) => `mssql+pyodbc://sa:${password}@127.0.0.1:${port}/db?TrustServerCertificate=yes`,
  droppedUrl: (port, password) => `mssql+pymssql://sa:${password}@127.0.0.1:${port}/db`,
  refusedCode: "ESOCKET",
});
