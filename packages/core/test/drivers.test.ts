import { describe, expect, it } from "vitest";
import { Driver, DRIVER_PACKAGES, dialectOf, knownDriverNames, resolveDriver } from "../src/driver/drivers.js";
import { UnknownDriverError } from "../src/errors.js";
import { thrown } from "./helpers/test-plugin.js";

const VALID = "postgresql+pg, mysql+mysql2, mariadb+mysql2, sqlite+better-sqlite3, mssql+tedious, oracle+oracledb";

describe("Driver", () => {
  it("has the values of SPEC §2 (dialect+driver)", () => {
    expect({ ...Driver }).toEqual({
      POSTGRESQL_PG: "postgresql+pg",
      MYSQL_MYSQL2: "mysql+mysql2",
      MARIADB_MYSQL2: "mariadb+mysql2",
      SQLITE_BETTER_SQLITE3: "sqlite+better-sqlite3",
      MSSQL_TEDIOUS: "mssql+tedious",
      ORACLE_ORACLEDB: "oracle+oracledb",
    });
  });

  it("maps every driver to its package", () => {
    expect(DRIVER_PACKAGES).toEqual({
      "postgresql+pg": "@sqlblocks/driver-postgres",
      "mysql+mysql2": "@sqlblocks/driver-mysql",
      "mariadb+mysql2": "@sqlblocks/driver-mysql",
      "sqlite+better-sqlite3": "@sqlblocks/driver-sqlite",
      "mssql+tedious": "@sqlblocks/driver-mssql",
      "oracle+oracledb": "@sqlblocks/driver-oracle",
    });
  });

  it.each(Object.values(Driver))("resolves its own value %s", (value) => {
    expect(resolveDriver(value)).toBe(value);
  });

  it.each([
    ["postgresql+pg", "postgresql"],
    ["mysql+mysql2", "mysql"],
    ["mariadb+mysql2", "mariadb"],
    ["sqlite+better-sqlite3", "sqlite"],
    ["mssql+tedious", "mssql"],
    ["oracle+oracledb", "oracle"],
  ] as const)("the dialect of %s is %s", (driver, dialect) => {
    expect(dialectOf(driver as Driver)).toBe(dialect);
  });
});

describe("resolveDriver: SPEC §2 aliases", () => {
  const aliases: [string, Driver][] = [
    ["postgres", Driver.POSTGRESQL_PG],
    ["postgresql", Driver.POSTGRESQL_PG],
    ["postgresql+psycopg2", Driver.POSTGRESQL_PG],
    ["postgresql+psycopg", Driver.POSTGRESQL_PG],
    ["postgresql+asyncpg", Driver.POSTGRESQL_PG],
    ["postgresql+pg8000", Driver.POSTGRESQL_PG],
    ["mysql", Driver.MYSQL_MYSQL2],
    ["mysql+pymysql", Driver.MYSQL_MYSQL2],
    ["mysql+mysqldb", Driver.MYSQL_MYSQL2],
    ["mysql+aiomysql", Driver.MYSQL_MYSQL2],
    ["mysql+asyncmy", Driver.MYSQL_MYSQL2],
    ["mysql+mysqlconnector", Driver.MYSQL_MYSQL2],
    ["mariadb", Driver.MARIADB_MYSQL2],
    ["mariadb+pymysql", Driver.MARIADB_MYSQL2],
    ["mariadb+mariadbconnector", Driver.MARIADB_MYSQL2],
    ["mariadb+anything", Driver.MARIADB_MYSQL2],
    ["sqlite", Driver.SQLITE_BETTER_SQLITE3],
    ["sqlite+pysqlite", Driver.SQLITE_BETTER_SQLITE3],
    ["sqlite+aiosqlite", Driver.SQLITE_BETTER_SQLITE3],
    ["mssql", Driver.MSSQL_TEDIOUS],
    ["mssql+pyodbc", Driver.MSSQL_TEDIOUS],
    ["mssql+pymssql", Driver.MSSQL_TEDIOUS],
    ["oracle", Driver.ORACLE_ORACLEDB],
    ["oracle+cx_oracle", Driver.ORACLE_ORACLEDB],
    ["oracle+oracledb", Driver.ORACLE_ORACLEDB],
    ["oracle+oracledb_async", Driver.ORACLE_ORACLEDB],
  ];

  it.each(aliases)("%s → %s", (alias, driver) => {
    expect(resolveDriver(alias)).toBe(driver);
  });

  it("ignores case and surrounding spaces", () => {
    expect(resolveDriver("  PostgreSQL+Psycopg2 ")).toBe(Driver.POSTGRESQL_PG);
    expect(resolveDriver("SQLITE")).toBe(Driver.SQLITE_BETTER_SQLITE3);
  });

  it("lists every accepted name for help text", () => {
    const names = knownDriverNames();
    for (const [alias] of aliases.filter(([alias]) => !alias.startsWith("mariadb+"))) expect(names).toContain(alias);
    for (const value of Object.values(Driver)) expect(names).toContain(value);
    expect(names).toContain("mariadb+<any>");
  });
});

describe("resolveDriver: unknown names", () => {
  it.each(["mongodb", "postgresql+unknown", "mysql+pg", "sqlite3", "", "oracle+"])(
    "refuses %j with an error listing the valid drivers",
    (name) => {
      const error = thrown(() => resolveDriver(name));
      expect(error).toBeInstanceOf(UnknownDriverError);
      expect(error.message).toBe(`unknown driver "${name}": use one of ${VALID}`);
      expect((error as UnknownDriverError).code).toBe("SQLBLOCKS_UNKNOWN_DRIVER");
      expect((error as UnknownDriverError).driverName).toBe(name);
      expect((error as UnknownDriverError).valid).toEqual(Object.values(Driver));
    },
  );
});
