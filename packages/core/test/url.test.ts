import { describe, expect, it } from "vitest";
import { Driver } from "../src/driver/drivers.js";
import { InvalidConnectionInfoError, InvalidUrlError, UnknownDriverError } from "../src/errors.js";
import { isSecret, MASK, Secret } from "../src/secret/secret.js";
import {
  type ConnectionComponents,
  maskUrlPasswords,
  normalizeComponents,
  parseConnectionUrl,
  renderConnectionUrl,
} from "../src/url/index.js";

const CANARY = "CANARY-pw-123";

/** Components with the password revealed, for comparing with toEqual (Secrets all look alike). */
function plain(components: ConnectionComponents): Record<string, unknown> {
  return { ...components, password: components.password?.reveal() };
}

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

describe("parseConnectionUrl", () => {
  it("parses every part of a full URL", () => {
    const c = parseConnectionUrl("postgresql+pg://app:s3cret@db.internal:6543/shop?sslmode=require&application_name=etl");
    expect(plain(c)).toEqual({
      driver: Driver.POSTGRESQL_PG,
      username: "app",
      password: "s3cret",
      host: "db.internal",
      port: 6543,
      database: "shop",
      query: { sslmode: "require", application_name: "etl" },
    });
    expect(isSecret(c.password)).toBe(true);
    expect(String(c.password)).toBe(MASK);
    expect(JSON.stringify(c)).not.toContain("s3cret");
  });

  it.each([
    ["postgresql+pg", Driver.POSTGRESQL_PG],
    ["postgres", Driver.POSTGRESQL_PG],
    ["postgresql", Driver.POSTGRESQL_PG],
    ["postgresql+psycopg2", Driver.POSTGRESQL_PG],
    ["postgresql+psycopg", Driver.POSTGRESQL_PG],
    ["postgresql+asyncpg", Driver.POSTGRESQL_PG],
    ["postgresql+pg8000", Driver.POSTGRESQL_PG],
    ["mysql+mysql2", Driver.MYSQL_MYSQL2],
    ["mysql", Driver.MYSQL_MYSQL2],
    ["mysql+pymysql", Driver.MYSQL_MYSQL2],
    ["mysql+mysqldb", Driver.MYSQL_MYSQL2],
    ["mysql+aiomysql", Driver.MYSQL_MYSQL2],
    ["mysql+asyncmy", Driver.MYSQL_MYSQL2],
    ["mysql+mysqlconnector", Driver.MYSQL_MYSQL2],
    ["mariadb+mysql2", Driver.MARIADB_MYSQL2],
    ["mariadb", Driver.MARIADB_MYSQL2],
    ["mariadb+mariadbconnector", Driver.MARIADB_MYSQL2],
    ["mssql+tedious", Driver.MSSQL_TEDIOUS],
    ["mssql", Driver.MSSQL_TEDIOUS],
    ["mssql+pyodbc", Driver.MSSQL_TEDIOUS],
    ["mssql+pymssql", Driver.MSSQL_TEDIOUS],
    ["oracle+oracledb", Driver.ORACLE_ORACLEDB],
    ["oracle", Driver.ORACLE_ORACLEDB],
    ["oracle+cx_oracle", Driver.ORACLE_ORACLEDB],
    ["oracle+oracledb_async", Driver.ORACLE_ORACLEDB],
    ["POSTGRESQL+PSYCOPG2", Driver.POSTGRESQL_PG],
  ])("resolves the scheme %s (Python URLs paste as they are)", (scheme, driver) => {
    const c = parseConnectionUrl(`${scheme}://scott:tiger@dbhost:1234/app`);
    expect(plain(c)).toEqual({
      driver,
      username: "scott",
      password: "tiger",
      host: "dbhost",
      port: 1234,
      database: "app",
    });
  });

  it.each([
    ["sqlite+better-sqlite3:///relative.db", "relative.db"],
    ["sqlite+better-sqlite3:///data/app.db", "data/app.db"],
    ["sqlite+better-sqlite3:////abs/path.db", "/abs/path.db"],
    ["sqlite+better-sqlite3:///:memory:", ":memory:"],
    ["sqlite+better-sqlite3://", ":memory:"],
    ["sqlite+better-sqlite3:///", ":memory:"],
    ["sqlite://", ":memory:"],
    ["sqlite:///:memory:", ":memory:"],
    ["sqlite+pysqlite:///foo.db", "foo.db"],
    ["sqlite+aiosqlite:////tmp/x.db", "/tmp/x.db"],
    ["sqlite:///my%20data.db", "my data.db"],
    ["sqlite:///C:\\path\\to\\foo.db", "C:\\path\\to\\foo.db"],
  ])("reads the SQLite form %s", (url, database) => {
    expect(parseConnectionUrl(url)).toEqual({ driver: Driver.SQLITE_BETTER_SQLITE3, database });
  });

  it("percent-decodes username, password, database and query exactly", () => {
    const c = parseConnectionUrl(
      "mysql://us%3Aer%40x:p%40ss%3Aw%2Frd%3F%23%25%20%2B+@h/d%C3%A9v%2Fdb?opt%3D1=a%26b%3Dc&tz=%2B01%3A00&plus=a+b",
    );
    expect(c.username).toBe("us:er@x");
    expect(c.password?.reveal()).toBe("p@ss:w/rd?#% ++");
    expect(c.database).toBe("dév/db");
    expect(c.query).toEqual({ "opt=1": "a&b=c", tz: "+01:00", plus: "a+b" });
  });

  it("decodes unicode in every text part", () => {
    const c = parseConnectionUrl("postgres://%E7%94%A8%E6%88%B7:%F0%9F%94%91@h/%E6%95%B0%E6%8D%AE?k=%C3%BC");
    expect(plain(c)).toMatchObject({ username: "用户", password: "🔑", database: "数据", query: { k: "ü" } });
  });

  it("tells an empty password from no password", () => {
    expect(parseConnectionUrl("postgres://app:@h/db").password?.reveal()).toBe("");
    expect(parseConnectionUrl("postgres://app@h/db").password).toBeUndefined();
    expect(parseConnectionUrl("postgres://app@h/db").username).toBe("app");
    const onlyPassword = parseConnectionUrl("postgres://:pw@h/db");
    expect(onlyPassword.username).toBeUndefined();
    expect(onlyPassword.password?.reveal()).toBe("pw");
  });

  it("accepts a bare '@' or ':' in the password (the last '@' ends it)", () => {
    const c = parseConnectionUrl("postgres://app:p@ss:w@rd@db:5432/shop");
    expect(c.username).toBe("app");
    expect(c.password?.reveal()).toBe("p@ss:w@rd");
    expect(c.host).toBe("db");
    expect(c.port).toBe(5432);
  });

  it("parses IPv6 hosts in brackets and returns them without", () => {
    expect(parseConnectionUrl("postgres://u:p@[::1]:5432/db")).toMatchObject({ host: "::1", port: 5432 });
    expect(parseConnectionUrl("mssql://[2001:db8::7]/db")).toMatchObject({ host: "2001:db8::7", database: "db" });
    expect(parseConnectionUrl("postgres://[fe80::1%25eth0]:1/db").host).toBe("fe80::1%eth0");
  });

  it("leaves out the parts that are not there", () => {
    expect(parseConnectionUrl("postgresql+pg://")).toEqual({ driver: Driver.POSTGRESQL_PG });
    expect(parseConnectionUrl("postgresql+pg://db")).toEqual({ driver: Driver.POSTGRESQL_PG, host: "db" });
    expect(parseConnectionUrl("postgresql+pg://db:")).toEqual({ driver: Driver.POSTGRESQL_PG, host: "db" });
    expect(parseConnectionUrl("postgresql+pg:///shop")).toEqual({ driver: Driver.POSTGRESQL_PG, database: "shop" });
    expect(parseConnectionUrl("postgresql+pg://db/")).toEqual({ driver: Driver.POSTGRESQL_PG, host: "db" });
    expect(parseConnectionUrl("postgresql+pg://db?")).toEqual({ driver: Driver.POSTGRESQL_PG, host: "db" });
    expect(parseConnectionUrl("postgresql+pg://:5433")).toEqual({ driver: Driver.POSTGRESQL_PG, port: 5433 });
    expect(parseConnectionUrl("  postgres://db/x \n")).toEqual({ driver: Driver.POSTGRESQL_PG, host: "db", database: "x" });
  });

  it("reads query flags and keeps the last value of a repeated key", () => {
    const c = parseConnectionUrl("postgres://h/db?a=1&&b&a=2&=empty-key");
    expect(c.query).toEqual({ a: "2", b: "", "": "empty-key" });
  });

  it("stores a query key named __proto__ as data", () => {
    const c = parseConnectionUrl("postgres://h/db?__proto__=x&constructor=y");
    expect(Object.getPrototypeOf(c.query)).toBe(Object.prototype);
    expect(Object.keys(c.query ?? {})).toEqual(["__proto__", "constructor"]);
    expect(Object.getOwnPropertyDescriptor(c.query, "__proto__")?.value).toBe("x");
  });

  it("reveals a URL given as a Secret only to parse it", () => {
    const c = parseConnectionUrl(new Secret("postgres://app:hunter2@h/db"));
    expect(c.password?.reveal()).toBe("hunter2");
  });

  describe("errors", () => {
    it("lists the valid drivers for an unknown scheme", () => {
      const error = errorOf(() => parseConnectionUrl("mongodb://u:p@h/db"));
      expect(error).toBeInstanceOf(UnknownDriverError);
      expect(error.message).toContain('unknown driver "mongodb"');
      for (const driver of Object.values(Driver)) expect(error.message).toContain(driver);
    });

    it.each([
      ["postgres://u:p@h:abc/db", 'invalid connection URL: port "abc" is not a number'],
      ["postgres://u:p@h:0/db", 'invalid connection URL: port "0" is out of range: use 1 to 65535'],
      ["postgres://u:p@h:65536/db", 'invalid connection URL: port "65536" is out of range: use 1 to 65535'],
      ["postgres://u:p@h:-1/db", 'invalid connection URL: port "-1" is not a number'],
      ["localhost:5432/db", 'invalid connection URL: it must start with "dialect+driver://"'],
      ["", 'invalid connection URL: it must start with "dialect+driver://"'],
      ["1pg://h/db", 'the scheme before "://" must be a driver name'],
      ["postgres://h/db#frag", 'must not contain "#" (a URL fragment): percent-encode "#" as %23'],
      ["postgres://h/db?email=a@b", '"@" appears after the host'],
      ["postgres://u:p@[::1/db", 'the IPv6 host has no closing "]"'],
      ["postgres://u:p@[::1]x/db", 'after the IPv6 host "]" only ":port" may follow'],
      ["postgres://u:p@[nope]/db", 'host "[nope]" is not a valid IPv6 address'],
      ["postgres://u:p@::1:5432/db", "write an IPv6 host in brackets"],
      ["postgres://u:p@my host/db", 'host "my host" must not contain spaces'],
      ["postgres://u:p@h%41/db", 'host "h%41" must not contain "%"'],
      ["postgres://u:p@h/d%zzb", "the database is not correctly percent-encoded"],
      ["postgres://u%:p@h/db", "the username is not correctly percent-encoded"],
      ["postgres://h/db?a%=1", "a query parameter name is not correctly percent-encoded"],
      ["postgres://h/db?a=%E9", 'query parameter "a" is not correctly percent-encoded'],
    ])("%s → %s", (url, message) => {
      const error = errorOf(() => parseConnectionUrl(url));
      expect(error).toBeInstanceOf(InvalidUrlError);
      expect((error as InvalidUrlError).code).toBe("SQLBLOCKS_INVALID_URL");
      expect(error.message).toContain(message);
    });

    it("rejects what is not a string", () => {
      expect(() => parseConnectionUrl(42 as unknown as string)).toThrow(InvalidUrlError);
    });

    it.each([
      `postgres://app:${CANARY}@h:abc/db`,
      `postgres://app:${CANARY}@h:99999/db`,
      `postgres://app:${CANARY}%zz@h/db`,
      `postgres://app:${CANARY}/x@h/db`,
      `postgres://app:${CANARY}?x@h/db`,
      `postgres://app:${CANARY}#x@h/db`,
      `postgres://app:p/${CANARY}@h:5432/db`,
      `postgres://app:${CANARY}@[::1/db`,
      `postgres://app:${CANARY}@[zz]/db`,
      `postgres://app:${CANARY}@h h/db`,
      `postgres://app:${CANARY}@h/db#x`,
      `postgres://app:${CANARY}@h/d%zz`,
      `postgres://app:${CANARY}@h/db?k=%zz`,
      `postgres://app:${CANARY}@::1:5432/db`,
      `postgres:/app:${CANARY}@h/db`,
      `postgres:app:${CANARY}@h/db`,
      `nosuch://app:${CANARY}@h/db`,
      `postgres://app:p@ss?${CANARY}=%zz@h/db`,
    ])("never shows the password: %s", (url) => {
      const error = errorOf(() => parseConnectionUrl(url));
      expect(error.message).not.toContain(CANARY);
      expect(error.message).not.toContain("CANARY");
    });

    it.each([
      `postgres://app:p@${CANARY}:x@h/db`,
      `postgres://app:p@h:${CANARY}@h/db`,
      `postgres://app:p@${CANARY} x@h/db`,
      `postgres://app:p@[${CANARY}]@h/db`,
    ])("reads a bare '@' as part of the password rather than failing: %s", (url) => {
      const c = parseConnectionUrl(url);
      expect(c.password?.reveal()).toContain(CANARY);
      expect(c.host).toBe("h");
    });
  });
});

describe("renderConnectionUrl", () => {
  const components = normalizeComponents({
    driver: "postgresql+psycopg2",
    username: "app",
    password: "p@ss:w/rd",
    host: "db.internal",
    port: "5432",
    database: "shop",
    query: { sslmode: "require" },
  });

  it("masks the password unless asked to reveal it", () => {
    expect(renderConnectionUrl(components)).toBe("postgresql+pg://app:********@db.internal:5432/shop?sslmode=require");
    expect(renderConnectionUrl(components, { revealPassword: true })).toBe(
      "postgresql+pg://app:p%40ss%3Aw%2Frd@db.internal:5432/shop?sslmode=require",
    );
  });

  it("masks an empty password too, and writes no ':' without one", () => {
    expect(renderConnectionUrl({ driver: "mysql", username: "root", password: "", host: "h" })).toBe(
      "mysql+mysql2://root:********@h",
    );
    expect(renderConnectionUrl({ driver: "mysql", username: "root", password: "", host: "h" }, { revealPassword: true })).toBe(
      "mysql+mysql2://root:@h",
    );
    expect(renderConnectionUrl({ driver: "mysql", username: "root", host: "h" })).toBe("mysql+mysql2://root@h");
  });

  it("percent-encodes every special character", () => {
    const url = renderConnectionUrl(
      {
        driver: Driver.MSSQL_TEDIOUS,
        username: "dom\\us er",
        password: "a@b:c/d?e#f%g h+ü",
        host: "sql.example",
        database: "my db#1",
        query: { "a&b": "c=d e", encrypt: "true" },
      },
      { revealPassword: true },
    );
    expect(url).toBe(
      "mssql+tedious://dom%5Cus%20er:a%40b%3Ac%2Fd%3Fe%23f%25g%20h%2B%C3%BC@sql.example/my%20db%231?a%26b=c%3Dd%20e&encrypt=true",
    );
  });

  it("writes SQLite databases the way SQLAlchemy does", () => {
    expect(renderConnectionUrl({ driver: "sqlite", database: "relative.db" })).toBe("sqlite+better-sqlite3:///relative.db");
    expect(renderConnectionUrl({ driver: "sqlite", database: "/abs/path.db" })).toBe("sqlite+better-sqlite3:////abs/path.db");
    expect(renderConnectionUrl({ driver: "sqlite", database: ":memory:" })).toBe("sqlite+better-sqlite3:///:memory:");
    expect(renderConnectionUrl({ driver: "sqlite" })).toBe("sqlite+better-sqlite3:///:memory:");
  });

  it("writes IPv6 hosts in brackets", () => {
    expect(renderConnectionUrl({ driver: "postgres", host: "::1", port: 5432, database: "db" })).toBe(
      "postgresql+pg://[::1]:5432/db",
    );
    expect(renderConnectionUrl({ driver: "postgres", host: "[::1]" })).toBe("postgresql+pg://[::1]");
    expect(renderConnectionUrl({ driver: "postgres", host: "fe80::1%eth0" })).toBe("postgresql+pg://[fe80::1%25eth0]");
  });

  it("round-trips the examples", () => {
    for (const url of [
      "postgresql+pg://app:s3cret@db:5432/shop?sslmode=require",
      "mysql+mysql2://root:@localhost/test",
      "mariadb+mysql2://:only-password@h",
      "mssql+tedious://sa:p%40ss@[::1]:1433/master?encrypt=false",
      "oracle+oracledb://scott:tiger@ora:1521/FREEPDB1",
      "sqlite+better-sqlite3:////var/data/app.db",
    ]) {
      expect(renderConnectionUrl(parseConnectionUrl(url), { revealPassword: true })).toBe(url);
    }
  });

  it("validates what it renders", () => {
    expect(() => renderConnectionUrl({ driver: "postgres", port: "x" })).toThrow(InvalidConnectionInfoError);
    expect(() => renderConnectionUrl({ driver: "nope" })).toThrow(UnknownDriverError);
  });
});

describe("normalizeComponents", () => {
  it("resolves the driver alias, wraps the password and reads a numeric port", () => {
    const c = normalizeComponents({ driver: "mysql+pymysql", password: "pw", port: " 3306 ", host: "h" });
    expect(c.driver).toBe(Driver.MYSQL_MYSQL2);
    expect(isSecret(c.password)).toBe(true);
    expect(c.password?.reveal()).toBe("pw");
    expect(c.port).toBe(3306);
  });

  it("keeps a Secret password as it is", () => {
    const password = new Secret("pw");
    expect(normalizeComponents({ driver: Driver.POSTGRESQL_PG, password }).password).toBe(password);
  });

  it("treats empty strings and null as not set, except for the password", () => {
    const c = normalizeComponents({
      driver: "postgres",
      username: "",
      password: "",
      host: "",
      port: "",
      database: "",
      query: {},
      ...({ notAField: undefined } as object),
    });
    expect(plain(c)).toEqual({ driver: Driver.POSTGRESQL_PG, password: "" });
    expect(
      normalizeComponents({ driver: "postgres", host: null, port: null } as unknown as { driver: string }),
    ).toEqual({ driver: Driver.POSTGRESQL_PG });
  });

  it("defaults a SQLite database to :memory:", () => {
    expect(normalizeComponents({ driver: "sqlite" })).toEqual({ driver: Driver.SQLITE_BETTER_SQLITE3, database: ":memory:" });
    expect(normalizeComponents({ driver: "sqlite", database: "" }).database).toBe(":memory:");
  });

  it("strips the brackets of an IPv6 host", () => {
    expect(normalizeComponents({ driver: "postgres", host: "[2001:db8::1]" }).host).toBe("2001:db8::1");
  });

  it.each([
    [{ port: "abc" }, 'port "abc" is not a number'],
    [{ port: "54 32" }, 'port "54 32" is not a number'],
    [{ port: 0 }, 'port "0" is out of range: use 1 to 65535'],
    [{ port: 70000 }, 'port "70000" is out of range: use 1 to 65535'],
    [{ port: 54.5 }, 'port "54.5" is not a whole number'],
    [{ port: Number.NaN }, 'port "NaN" is not a number'],
    [{ port: true }, "port must be a number or a string of digits"],
    [{ host: "my host" }, 'host "my host" must not contain spaces'],
    [{ host: "/var/run/postgresql" }, "for a Unix socket directory, pass it as a query parameter"],
    [{ host: "a\\b" }, 'must not contain "/" or "\\'],
    [{ host: "db:5432" }, 'host "db:5432" must not contain ":": give the port separately'],
    [{ host: "[db]" }, 'host "[db]" is not a valid IPv6 address'],
    [{ host: "user@db" }, 'host "user@db" must not contain "@"'],
    [{ host: "db?x" }, 'host "db?x" must not contain "?"'],
    [{ host: 5 }, "host must be a string"],
    [{ username: 5 }, "username must be a string"],
    [{ database: ["x"] }, "database must be a string"],
    [{ password: 1234 }, "password must be a string or a Secret"],
    [{ password: "a\uD800" }, "password is not valid Unicode text"],
    [{ query: "sslmode=require" }, "query must be an object of string values"],
    [{ query: { ssl: true } }, 'query parameter "ssl" must be a string, not boolean'],
    [{ user: "app" }, 'unknown field "user": use driver, database, username, password, host, port, query'],
    [{ driver: undefined }, 'driver is required, e.g. "postgresql+pg"'],
    [{ driver: 7 }, "driver must be a string"],
  ])("rejects %o: %s", (fields, message) => {
    const error = errorOf(() => normalizeComponents({ driver: "postgres", ...fields } as never));
    expect(error).toBeInstanceOf(InvalidConnectionInfoError);
    expect((error as InvalidConnectionInfoError).code).toBe("SQLBLOCKS_INVALID_CONNECTION_INFO");
    expect(error.message).toMatch(/^invalid connection info: /);
    expect(error.message).toContain(message);
  });

  it("rejects what is not an object", () => {
    expect(() => normalizeComponents(null as never)).toThrow(/must be an object/);
  });

  it("throws UnknownDriverError for an unknown driver", () => {
    expect(() => normalizeComponents({ driver: "db2" })).toThrow(UnknownDriverError);
  });

  it("never shows the password in its messages", () => {
    const error = errorOf(() => normalizeComponents({ driver: "postgres", password: CANARY, port: "x" }));
    expect(error.message).not.toContain(CANARY);
  });
});

describe("maskUrlPasswords", () => {
  it.each([
    ['connect to "postgresql://app:s3cret@db/shop" failed', 'connect to "postgresql://app:********@db/shop" failed'],
    ["mysql+pymysql://root:p%40ss@h:3306/x", "mysql+pymysql://root:********@h:3306/x"],
    ["oracle+cx_oracle://scott:tiger@ora/db and mssql://sa:Sa!1@h", "oracle+cx_oracle://scott:********@ora/db and mssql://sa:********@h"],
    ["postgres://app:p@ss:w/rd@db/shop", "postgres://app:********@db/shop"],
    ["postgres://:only@db", "postgres://:********@db"],
    ["postgres://app:@db", "postgres://app:********@db"],
    ["postgres://app:********@db", "postgres://app:********@db"],
  ])("%s", (text, masked) => {
    expect(maskUrlPasswords(text)).toBe(masked);
  });

  it.each([
    "postgres://app@db:5432/shop",
    "postgresql://db:5432/shop",
    "postgres://[::1]:5432/db",
    "no url here: user:pass@host",
    "mail admin@example.com about postgres://db:5432/x",
    "",
  ])("leaves text without a URL password alone: %s", (text) => {
    expect(maskUrlPasswords(text)).toBe(text);
  });

  it("masks what renderConnectionUrl masks", () => {
    const c = parseConnectionUrl("mssql://sa:x%40y@h:1433/db?encrypt=true");
    expect(maskUrlPasswords(renderConnectionUrl(c, { revealPassword: true }))).toBe(renderConnectionUrl(c));
  });
});

describe("NUL characters in connection fields", () => {
  it.each(["database", "username", "host"] as const)("%s with a NUL is refused, naming the field", (field) => {
    const input = { driver: "sqlite+better-sqlite3", [field]: "a\u0000b" };
    expect(() => normalizeComponents(input)).toThrow(InvalidConnectionInfoError);
    expect(() => normalizeComponents(input)).toThrow(`${field} must not contain a NUL character`);
  });

  it("a password with a NUL is refused without showing it", () => {
    const attempt = () => normalizeComponents({ driver: "postgresql+pg", password: "CANARY\u0000pw" });
    expect(attempt).toThrow("password must not contain a NUL character");
    try {
      attempt();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain("CANARY");
    }
  });

  it("a percent-encoded NUL in a URL is refused too", () => {
    expect(() => parseConnectionUrl("sqlite+better-sqlite3:///a%00b.db")).toThrow(/NUL/);
  });
});
