import { UnknownDriverError } from "../errors.js";

/**
 * The databases and client libraries sqlblocks supports, named `dialect+driver`
 * the way SQLAlchemy names them.
 */
export enum Driver {
  POSTGRESQL_PG = "postgresql+pg",
  MYSQL_MYSQL2 = "mysql+mysql2",
  MARIADB_MYSQL2 = "mariadb+mysql2",
  SQLITE_BETTER_SQLITE3 = "sqlite+better-sqlite3",
  MSSQL_TEDIOUS = "mssql+tedious",
  ORACLE_ORACLEDB = "oracle+oracledb",
}

/** The npm package that implements each driver. */
export const DRIVER_PACKAGES: Readonly<Record<Driver, string>> = {
  [Driver.POSTGRESQL_PG]: "@sqlblocks/driver-postgres",
  [Driver.MYSQL_MYSQL2]: "@sqlblocks/driver-mysql",
  [Driver.MARIADB_MYSQL2]: "@sqlblocks/driver-mysql",
  [Driver.SQLITE_BETTER_SQLITE3]: "@sqlblocks/driver-sqlite",
  [Driver.MSSQL_TEDIOUS]: "@sqlblocks/driver-mssql",
  [Driver.ORACLE_ORACLEDB]: "@sqlblocks/driver-oracle",
};

const DRIVER_VALUES = new Set<string>(Object.values(Driver));

/** Python (SQLAlchemy) scheme names and short forms, mapped to the driver that serves them. */
const SCHEME_ALIASES: Readonly<Record<string, Driver>> = {
  postgres: Driver.POSTGRESQL_PG,
  postgresql: Driver.POSTGRESQL_PG,
  "postgresql+psycopg2": Driver.POSTGRESQL_PG,
  "postgresql+psycopg": Driver.POSTGRESQL_PG,
  "postgresql+asyncpg": Driver.POSTGRESQL_PG,
  "postgresql+pg8000": Driver.POSTGRESQL_PG,
  mysql: Driver.MYSQL_MYSQL2,
  "mysql+pymysql": Driver.MYSQL_MYSQL2,
  "mysql+mysqldb": Driver.MYSQL_MYSQL2,
  "mysql+aiomysql": Driver.MYSQL_MYSQL2,
  "mysql+asyncmy": Driver.MYSQL_MYSQL2,
  "mysql+mysqlconnector": Driver.MYSQL_MYSQL2,
  mariadb: Driver.MARIADB_MYSQL2,
  sqlite: Driver.SQLITE_BETTER_SQLITE3,
  "sqlite+pysqlite": Driver.SQLITE_BETTER_SQLITE3,
  "sqlite+aiosqlite": Driver.SQLITE_BETTER_SQLITE3,
  mssql: Driver.MSSQL_TEDIOUS,
  "mssql+pyodbc": Driver.MSSQL_TEDIOUS,
  "mssql+pymssql": Driver.MSSQL_TEDIOUS,
  oracle: Driver.ORACLE_ORACLEDB,
  "oracle+cx_oracle": Driver.ORACLE_ORACLEDB,
  "oracle+oracledb_async": Driver.ORACLE_ORACLEDB,
};

/** Every name {@link resolveDriver} accepts, for error messages and help text. */
export function knownDriverNames(): string[] {
  return [...DRIVER_VALUES, ...Object.keys(SCHEME_ALIASES), "mariadb+<any>"];
}

/**
 * Resolves a driver value or a Python URL scheme (`postgresql+psycopg2`, `mysql+pymysql`, …)
 * to a {@link Driver}.
 *
 * @throws {UnknownDriverError} listing the valid names
 */
export function resolveDriver(name: string): Driver {
  const key = String(name).trim().toLowerCase();
  if (DRIVER_VALUES.has(key)) return key as Driver;
  const alias = SCHEME_ALIASES[key];
  if (alias) return alias;
  if (key.startsWith("mariadb+")) return Driver.MARIADB_MYSQL2;
  throw new UnknownDriverError(String(name), [...DRIVER_VALUES]);
}

/** The SQL dialect of a driver: the part before the `+`. */
export type Dialect = "postgresql" | "mysql" | "mariadb" | "sqlite" | "mssql" | "oracle";

/** The dialect part of a driver value. */
export function dialectOf(driver: Driver): Dialect {
  return driver.slice(0, driver.indexOf("+")) as Dialect;
}
