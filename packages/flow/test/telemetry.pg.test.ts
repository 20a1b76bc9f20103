import { registerTestSdk } from "./telemetry-setup.js";
import { telemetrySuite } from "./telemetry-suite.js";
import { useTempHome } from "./helpers.js";

const sdk = registerTestSdk();
useTempHome("telemetry-pg");

telemetrySuite({
  label: "postgresql",
  url: process.env.SQLBLOCKS_TEST_PG_URL ?? "postgresql+pg://postgres@127.0.0.1:5432/test",
  sdk,
  system: "postgresql",
  uniqueViolation: "23505",
  missingTable: "42P01",
  // The test server trusts local logins, so a password can ride along to prove it never leaks.
  canaryPassword: true,
});
