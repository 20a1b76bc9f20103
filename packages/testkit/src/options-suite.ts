import { inspect } from "node:util";
import { parseConnectionUrl, SqlConnector } from "@sqlblocks/core";
import { DRIVER_CONTRACT_VERSION, type DriverPlugin } from "@sqlblocks/core/driver";
import { describe, expect, it } from "vitest";

/** What {@link runOptionSuite} needs to know about a driver plug-in. */
export interface OptionSuiteOptions {
  /** The plug-in under test. */
  plugin: DriverPlugin;
  /** Dialect facts the plug-in must declare, compared with `toMatchObject` (packageName, drivers, placeholderStyle, …). */
  facts: Partial<DriverPlugin>;
  /** The native driver module TypeORM must be handed (itself, or a wrapper whose prototype it is). */
  nativeModule: object;
  /** A URL for this driver (a Python spelling is welcome) with `password` in it. */
  url(password: string): string;
}

/** A password with characters a URL must escape. */
const PASSWORD = "t1ger/Pa55?word#canary";

/**
 * The option mapping's contract, without a server: the plug-in declares its facts; the
 * TypeORM options it builds carry the native module (so TypeORM never loads one by name) and
 * the password exactly once, or none when it comes from a credential provider; and the
 * connector never shows the password (JSON, rendered URL, `util.inspect`, components).
 */
export function runOptionSuite(options: OptionSuiteOptions): void {
  const { plugin } = options;
  const url = options.url(encodeURIComponent(PASSWORD));
  const settings = { components: parseConnectionUrl(url) };

  describe(`${plugin.packageName}: the plug-in and its option mapping`, () => {
    it("declares the contract", () => {
      expect(plugin.contractVersion).toBe(DRIVER_CONTRACT_VERSION);
      expect(plugin).toMatchObject(options.facts);
      for (const part of ["createDataSourceOptions", "connect", "classifyError"] as const) expect(typeof plugin[part]).toBe("function");
      expect(plugin.isolationLevels?.length ?? 0).toBeGreaterThan(0);
    });

    it("hands TypeORM the native module itself, so it never loads one by name", () => {
      const driver = (plugin.createDataSourceOptions(settings) as { driver?: unknown }).driver;
      expect(driver === options.nativeModule || (typeof driver === "object" && driver !== null && Object.getPrototypeOf(driver) === options.nativeModule)).toBe(true);
    });

    it("carries the password exactly once in the options it builds", () => {
      expect(JSON.stringify(plugin.createDataSourceOptions(settings)).split(PASSWORD).length - 1).toBe(1);
    });

    it.runIf(plugin.passwordProviders === true)("carries no password when it comes from a credential provider", () => {
      const { password: _stored, ...components } = settings.components;
      const built = plugin.createDataSourceOptions({ components, passwordProvider: async () => PASSWORD });
      expect(JSON.stringify(built)).not.toContain(PASSWORD);
    });

    it("the connector never shows the password", () => {
      const connector = new SqlConnector({ connectionInfo: url });
      expect(JSON.stringify(connector)).not.toContain(PASSWORD);
      expect(connector.renderUrl()).not.toContain(PASSWORD);
      expect(inspect(connector, { depth: 8 })).not.toContain(PASSWORD);
      expect(String(connector.components.password)).not.toContain(PASSWORD);
      expect(connector.components.password?.reveal()).toBe(PASSWORD);
    });
  });
}
