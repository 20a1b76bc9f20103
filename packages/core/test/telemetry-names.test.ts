import * as conventions from "@opentelemetry/semantic-conventions";
import { describe, expect, it } from "vitest";
import * as names from "../src/telemetry/names.js";

// names.ts writes the stable convention names out instead of importing the package (its
// entry point costs a cold start ~15 ms): each must equal the package's own constant.
describe("telemetry names", () => {
  it("spells every stable name as @opentelemetry/semantic-conventions does", () => {
    const theirs: Record<string, unknown> = { ...conventions };
    const ours: Record<string, unknown> = { ...names };
    const stable = Object.keys(theirs).filter((key) => key in ours);
    expect(stable.sort()).toEqual(
      [
        "ATTR_DB_COLLECTION_NAME",
        "ATTR_DB_NAMESPACE",
        "ATTR_DB_OPERATION_BATCH_SIZE",
        "ATTR_DB_OPERATION_NAME",
        "ATTR_DB_QUERY_SUMMARY",
        "ATTR_DB_QUERY_TEXT",
        "ATTR_DB_RESPONSE_STATUS_CODE",
        "ATTR_DB_SYSTEM_NAME",
        "ATTR_ERROR_TYPE",
        "ATTR_SERVER_ADDRESS",
        "ATTR_SERVER_PORT",
        "DB_SYSTEM_NAME_VALUE_MARIADB",
        "DB_SYSTEM_NAME_VALUE_MICROSOFT_SQL_SERVER",
        "DB_SYSTEM_NAME_VALUE_MYSQL",
        "DB_SYSTEM_NAME_VALUE_POSTGRESQL",
        "METRIC_DB_CLIENT_OPERATION_DURATION",
      ].sort(),
    );
    for (const key of stable) expect(ours[key], key).toBe(theirs[key]);
  });
});
