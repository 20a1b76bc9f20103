import { describe, expect, it } from "vitest";
import { SqlConnector } from "../src/connector/sql-connector.js";
import { Driver } from "../src/driver/drivers.js";
import { InvalidConnectionInfoError, InvalidUrlError, UnknownDriverError } from "../src/errors.js";
import { isSecret, Secret } from "../src/secret/secret.js";
import { ConnectionComponents, type ConnectionComponentsInput } from "../src/url/components.js";

describe("ConnectionComponents at run time", () => {
  it("create validates and normalizes, like Python's model", () => {
    const components = ConnectionComponents.create({ driver: "postgresql+psycopg2", username: "app", password: "p@ss", host: "db", port: "5433", database: "shop" });
    expect(components).toMatchObject({ driver: Driver.POSTGRESQL_PG, username: "app", host: "db", port: 5433, database: "shop" });
    expect(isSecret(components.password)).toBe(true);
    expect(components.password?.reveal()).toBe("p@ss");
    expect(Object.isFrozen(components)).toBe(true);
    expect(JSON.stringify(components)).not.toContain("p@ss");
  });

  it("create refuses bad input with typed errors that never show the password", () => {
    expect(() => ConnectionComponents.create({ driver: "nosuchdb" })).toThrow(UnknownDriverError);
    expect(() => ConnectionComponents.create({ driver: "postgres", port: 70000, password: "hunter2" })).toThrow(InvalidConnectionInfoError);
    try {
      ConnectionComponents.create({ driver: "postgres", host: "a b", password: "hunter2" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidConnectionInfoError);
      expect((error as Error).message).not.toContain("hunter2");
    }
  });

  it("toUrl and fromUrl round-trip, the password masked unless revealed", () => {
    const components = ConnectionComponents.create({ driver: Driver.MYSQL_MYSQL2, username: "root", password: "p@ss/word", host: "::1", port: 3306, database: "test", query: { charset: "utf8mb4" } });
    expect(ConnectionComponents.toUrl(components)).toBe("mysql+mysql2://root:********@[::1]:3306/test?charset=utf8mb4");
    const revealed = ConnectionComponents.toUrl(components, { revealPassword: true });
    expect(revealed).toBe("mysql+mysql2://root:p%40ss%2Fword@[::1]:3306/test?charset=utf8mb4");
    const back = ConnectionComponents.fromUrl(revealed);
    expect({ ...back, password: back.password?.reveal() }).toEqual({ ...components, password: "p@ss/word" });
    expect(ConnectionComponents.fromUrl(new Secret(revealed)).host).toBe("::1");
    expect(() => ConnectionComponents.fromUrl("not a url")).toThrow(InvalidUrlError);
  });

  it("plain objects keep working wherever components are accepted", () => {
    const plain: ConnectionComponentsInput = { driver: "sqlite", database: ":memory:" };
    expect(ConnectionComponents.toUrl(plain)).toBe("sqlite+better-sqlite3:///:memory:");
    const fromPlain = new SqlConnector({ connectionInfo: plain });
    const fromCreated = new SqlConnector({ connectionInfo: ConnectionComponents.create(plain) });
    expect(fromCreated.toBlockData()).toEqual(fromPlain.toBlockData());
  });
});
