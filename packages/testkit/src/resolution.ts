import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { clearDriverRegistry, DatabaseError, type Driver, loadDriverPlugin, SqlConnector } from "@sqlblocks/core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { closedPort, droppingServer } from "./ports.js";

/** What {@link runResolutionSuite} needs to know about a driver package. */
export interface ResolutionOptions {
  /** The package name, e.g. `@sqlblocks/driver-mssql`. */
  packageName: string;
  /** The driver core must resolve to this package, e.g. `Driver.MSSQL_TEDIOUS`. */
  driver: Driver;
  /** The plug-in's `pingSql`, also the statement the failing connections try. */
  pingSql: string;
  /** Shown in the titles, e.g. "the real mssql driver". */
  transport: string;
  /** A URL (a Python spelling is the point) with `password` at `127.0.0.1:port`. */
  url(port: number, password: string): string;
  /** The URL for the server that drops connections (default: `url`). */
  droppedUrl?(port: number, password: string): string;
  /** The native code of a refused connection, e.g. `"ESOCKET"`. */
  refusedCode: string | RegExp;
  /** The native code of a connection the server drops at once (default: `refusedCode`; `null`: the driver gives none). */
  droppedCode?: string | RegExp | null;
  /** Every driver the plug-in declares (default: `[driver]`). */
  drivers?: readonly Driver[];
  /** The package folder (default: the working directory, as vitest runs in a package). */
  packageDir?: string;
}

const PASSWORD = "Pa55-word-canary";

/**
 * Resolution without a server: core finds the built driver package from the application
 * (through `loadDriverPlugin`, as a user's process would), and a connection refused or
 * dropped by the server is a transient {@link DatabaseError} with the driver's code, whose
 * message never shows the password.
 */
export function runResolutionSuite(options: ResolutionOptions): void {
  const dir = options.packageDir ?? process.cwd();
  const built = path.resolve(dir, "dist/index.js");

  beforeAll(() => {
    if (!existsSync(built)) throw new Error(`build ${options.packageName} first (pnpm build): core loads the built package`);
  });
  beforeEach(() => clearDriverRegistry());
  afterAll(() => clearDriverRegistry());

  describe("core's driver resolution", () => {
    it(`finds ${options.packageName} from the application for ${options.driver}`, async () => {
      expect(createRequire(path.resolve(dir, "package.json")).resolve(options.packageName)).toBe(built);
      const plugin = await loadDriverPlugin(options.driver);
      expect(plugin.packageName).toBe(options.packageName);
      expect(plugin.drivers).toEqual(options.drivers ?? [options.driver]);
      expect(plugin.pingSql).toBe(options.pingSql);
    });
  });

  const failure = async (url: string): Promise<DatabaseError> => {
    const connector = new SqlConnector({ connectionInfo: url, connectTimeoutMs: 5000 });
    try {
      const error = await connector.execute(options.pingSql).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(DatabaseError);
      return error as DatabaseError;
    } finally {
      await connector.close();
    }
  };
  const expectCode = (error: DatabaseError, code: string | RegExp | null) => {
    if (code === null) expect(error.driverCode).toBeUndefined();
    else if (typeof code === "string") expect(error.driverCode).toBe(code);
    else expect(error.driverCode).toMatch(code);
  };

  describe(`a Python URL through ${options.transport}, without a server`, () => {
    it("a refused connection is a transient lost connection that does not show the password", async () => {
      const error = await failure(options.url(await closedPort(), PASSWORD));
      expect(error).toMatchObject({ code: "SQLBLOCKS_CONNECTION_LOST", transient: true });
      expectCode(error, options.refusedCode);
      expect(error.message).not.toContain(PASSWORD);
    });

    it("a connection dropped by the server is transient too", async () => {
      const server = await droppingServer();
      try {
        const error = await failure((options.droppedUrl ?? options.url)(server.port, PASSWORD));
        expect(error.transient).toBe(true);
        expectCode(error, options.droppedCode === undefined ? options.refusedCode : options.droppedCode);
        expect(error.message).not.toContain(PASSWORD);
      } finally {
        await server.close();
      }
    });
  });
}
