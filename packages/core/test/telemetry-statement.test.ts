import { SpanKind, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { DriverPlugin } from "../src/driver/contract.js";
import { Driver } from "../src/driver/drivers.js";
import { DatabaseError, TooManyCursorsError } from "../src/errors.js";
import { StatementTelemetry } from "../src/telemetry/statement.js";
import type { ConnectionComponents } from "../src/url/components.js";

const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }));
afterAll(() => trace.disable());
beforeEach(() => exporter.reset());

const styles: Record<Driver, Pick<DriverPlugin, "placeholderStyle" | "backslashEscapes" | "hashComments">> = {
  [Driver.POSTGRESQL_PG]: { placeholderStyle: "dollar" },
  [Driver.MYSQL_MYSQL2]: { placeholderStyle: "question", backslashEscapes: true, hashComments: true },
  [Driver.MARIADB_MYSQL2]: { placeholderStyle: "question", backslashEscapes: true, hashComments: true },
  [Driver.SQLITE_BETTER_SQLITE3]: { placeholderStyle: "question" },
  [Driver.MSSQL_TEDIOUS]: { placeholderStyle: "at-p" },
  [Driver.ORACLE_ORACLEDB]: { placeholderStyle: "colon-number" },
};

function telemetry(components: ConnectionComponents, blockName?: string): StatementTelemetry {
  return new StatementTelemetry(components, styles[components.driver] as DriverPlugin, () => blockName);
}

function finished(run: (t: StatementTelemetry) => void, components: ConnectionComponents) {
  run(telemetry(components, "warehouse"));
  const spans = exporter.getFinishedSpans();
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

describe("statement spans by database", () => {
  it.each([
    [Driver.POSTGRESQL_PG, 5432, "postgresql"],
    [Driver.MYSQL_MYSQL2, 3306, "mysql"],
    [Driver.MARIADB_MYSQL2, 3306, "mariadb"],
    [Driver.MSSQL_TEDIOUS, 1433, "microsoft.sql_server"],
    [Driver.ORACLE_ORACLEDB, 1521, "oracle.db"],
  ])("%s: db.system.name, db.namespace, server.address; server.port only when not %i", (driver, port, system) => {
    const base = { driver, host: "db.internal", database: "shop", username: "app" } as ConnectionComponents;
    const atDefault = finished((t) => t.start("execute", "SELECT 1")!.succeeded(1), { ...base, port });
    expect(atDefault.kind).toBe(SpanKind.CLIENT);
    expect(atDefault.attributes).toEqual({
      "db.system.name": system,
      "db.namespace": "shop",
      "server.address": "db.internal",
      "db.operation.name": "SELECT",
      "db.query.summary": "SELECT",
      "db.query.text": "SELECT ?",
      "sqlblocks.connector.method": "execute",
      "sqlblocks.block.name": "warehouse",
      "sqlblocks.rows": 1,
    });
    exporter.reset();
    const elsewhere = finished((t) => t.start("execute", "SELECT 1")!.succeeded(1), { ...base, port: 15000 });
    expect(elsewhere.attributes["server.port"]).toBe(15000);
  });

  it("SQLite: no namespace (a file path) and no server", () => {
    const span = finished((t) => t.start("fetchAll", "SELECT * FROM t")!.succeeded(0), {
      driver: Driver.SQLITE_BETTER_SQLITE3,
      database: "/home/me/secret-project/app.db",
    } as ConnectionComponents);
    expect(span.attributes["db.system.name"]).toBe("sqlite");
    expect(Object.keys(span.attributes).filter((key) => key.startsWith("server.") || key === "db.namespace")).toEqual([]);
  });

  it("the name falls back from summary to the namespace, then to db.system.name", () => {
    const pg = { driver: Driver.POSTGRESQL_PG, host: "h", database: "shop" } as ConnectionComponents;
    expect(finished((t) => t.start("execute", "VACUUM")!.succeeded(0), pg).name).toBe("shop");
    exporter.reset();
    const sqlite = { driver: Driver.SQLITE_BETTER_SQLITE3, database: "x.db" } as ConnectionComponents;
    expect(finished((t) => t.start("execute", "VACUUM")!.succeeded(0), sqlite).name).toBe("sqlite");
  });

  it("Oracle keeps :1 placeholders and SQL Server @p1, replacing only literals", () => {
    const oracle = { driver: Driver.ORACLE_ORACLEDB, host: "h", database: "XE" } as ConnectionComponents;
    const span = finished((t) => t.start("execute", "UPDATE t SET a = :1, b = q'[it's]' WHERE id = 5")!.succeeded(1), oracle);
    expect(span.attributes["db.query.text"]).toBe("UPDATE t SET a = :1, b = ? WHERE id = ?");
    exporter.reset();
    const mssql = { driver: Driver.MSSQL_TEDIOUS, host: "h", database: "db" } as ConnectionComponents;
    const other = finished((t) => t.start("execute", "SELECT TOP 10 [name] FROM dbo.users WHERE id = @p1 AND n = N'x'")!.succeeded(1), mssql);
    expect(other.attributes["db.query.text"]).toBe("SELECT TOP ? [name] FROM dbo.users WHERE id = @p1 AND n = ?");
    expect(other.name).toBe("SELECT dbo.users");
  });

  it("failures: error.type is the driver code, else sqlblocks' code; the database's message stays out", () => {
    const pg = { driver: Driver.POSTGRESQL_PG, host: "h", database: "shop" } as ConnectionComponents;
    const dbError = new DatabaseError("[23505] duplicate key value: Key (email)=(leak@example.com)", {
      sql: "INSERT INTO users (email) VALUES (:email)",
      driverCode: "23505",
      transient: false,
    });
    const span = finished((t) => t.start("execute", "INSERT INTO users (email) VALUES (:email)")!.failed(dbError), pg);
    expect(span.attributes).toMatchObject({ "error.type": "23505", "db.response.status_code": "23505" });
    expect(span.status).toEqual({ code: 2, message: "DatabaseError (23505)" });
    expect(JSON.stringify(span.events)).not.toContain("leak@example.com");
    exporter.reset();
    const local = finished((t) => t.start("fetchOne", "SELECT 1")!.failed(new TooManyCursorsError(8)), pg);
    expect(local.attributes["error.type"]).toBe(new TooManyCursorsError(8).code);
    expect(local.attributes["db.response.status_code"]).toBeUndefined();
  });

  it("executeMany: db.operation.batch.size only from 2 operations", () => {
    const pg = { driver: Driver.POSTGRESQL_PG, host: "h", database: "shop" } as ConnectionComponents;
    const two = finished((t) => t.start("executeMany", "INSERT INTO t (a) VALUES (:a)", 2)!.succeeded(2), pg);
    expect(two.attributes).toMatchObject({ "db.operation.batch.size": 2, "db.operation.name": "BATCH INSERT", "db.query.summary": "BATCH INSERT t" });
    exporter.reset();
    const one = finished((t) => t.start("executeMany", "INSERT INTO t (a) VALUES (:a)", 1)!.succeeded(1), pg);
    expect(one.attributes["db.operation.batch.size"]).toBeUndefined();
  });
});
