import type { ZodType } from "zod";
import { zod } from "../blocks/zod.js";
import type { CredentialProvider, PasswordSource } from "../credentials/providers.js";
import type { PoolOptions, SslOptions } from "../driver/contract.js";
import { isSecret, type Secret } from "../secret/secret.js";
import type { ConnectionComponentsInput } from "../url/components.js";

/** How a connector reaches its database: components, or a URL (a password inside is a secret). */
export type ConnectionInfo =
  | ConnectionComponentsInput
  | (Omit<ConnectionComponentsInput, "password"> & { password: CredentialProvider })
  | string
  | Secret;

/** TLS settings as a caller gives them: the private `key` may be a plain string (it is kept as a {@link Secret}). */
export interface SslOptionsInput extends Omit<SslOptions, "key"> {
  key?: Secret | string | undefined;
}

/** What `new SqlConnector(…)` accepts. */
export interface SqlConnectorOptions {
  connectionInfo: ConnectionInfo;
  /** Free-form native options, merged last (like Prefect's `connect_args`). */
  connectArgs?: Record<string, unknown> | undefined;
  /** Rows per `fetchMany` when no size is given (default 1, as in Python). */
  fetchSize?: number | undefined;
  ssl?: boolean | SslOptionsInput | undefined;
  pool?: PoolOptions | undefined;
  connectTimeoutMs?: number | undefined;
  /** How many fetch cursors may be open at once (default 8; each holds a connection). */
  maxOpenCursors?: number | undefined;
  /**
   * Where the password comes from instead of a stored one: a provider registered by name
   * (`registerCredentialProvider`) or an environment variable, asked for each new connection.
   */
  passwordFrom?: PasswordSource | undefined;
}

let built: ZodType<Record<string, unknown>> | undefined;

/**
 * The stored shape of a SQL Connector block, built (and zod loaded) on first use: a good
 * stored document is checked by `isCheckedConnectorData` alone, so a process that only loads
 * and uses a connector pays for neither. Every field carries a description (see
 * `blockTypeJsonSchema`).
 */
export function sqlConnectorSchema(): ZodType<Record<string, unknown>> {
  built ??= buildSchema();
  return built;
}

function buildSchema() {
  const { z } = zod();
  const secret = z.custom<Secret>((value) => isSecret(value), { message: "expected a secret" });
  const positiveInt = z.number().int().positive();
  /**
   * An object of strings that keeps every key as data, `__proto__` included: zod's `record`
   * drops that key, so a URL query parameter named `__proto__` would vanish on save.
   */
  const stringRecord = z
    .custom<Record<string, string>>((value) => typeof value === "object" && value !== null && !Array.isArray(value), {
      message: "expected an object of strings",
    })
    .superRefine((value, ctx) => {
      for (const [key, item] of Object.entries(value)) {
        if (typeof item !== "string") ctx.addIssue({ code: "custom", path: [key], message: `expected a string, received ${typeof item}` });
      }
    })
    .transform((value) => {
      const copy: Record<string, string> = {};
      for (const [key, item] of Object.entries(value)) Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
      return copy;
    })
    .meta({ type: "object", additionalProperties: { type: "string" } });

  const componentsSchema = z
    .object({
      driver: z
        .string()
        .min(1)
        .describe('The driver, dialect+driver, e.g. "postgresql+pg", "mariadb+mysql2", "sqlite+better-sqlite3" (Python aliases such as "postgresql+psycopg2" are accepted).'),
      database: z.string().optional().describe('The database name; for SQLite the file path, or ":memory:" (the default).'),
      username: z.string().optional().describe("The user to log in as."),
      password: secret.optional().describe("The user's password; stored encrypted and shown as ********."),
      host: z.string().optional().describe("The server's host name or IP address (IPv6 without brackets)."),
      port: z.number().int().min(1).max(65535).optional().describe("The server's TCP port; the driver's default port when unset."),
      query: stringRecord
        .optional()
        .describe("Extra URL query parameters passed to the driver, e.g. { sslmode: \"require\", application_name: \"etl\" }."),
    })
    .describe("The connection as separate parts (Python's ConnectionComponents).");

  return z
    .object({
      connectionInfo: z
        .union([
          componentsSchema,
          z
            .object({ url: secret.describe("The connection URL, dialect+driver://user:password@host:port/database?k=v; stored encrypted.") })
            .describe("The connection as one URL."),
        ])
        .describe("How to reach the database: its parts, or one URL."),
      connectArgs: z
        .record(z.string(), z.unknown())
        .optional()
        .describe("Free-form options for the native driver, merged last (Python's connect_args)."),
      fetchSize: positiveInt.default(1).describe("Rows fetchMany returns when no size is given (default 1, as in Python)."),
      ssl: z
        .union([
          z.boolean().describe("true: TLS with the system's trusted certificates; false: no TLS."),
          z
            .object({
              ca: z.string().optional().describe("PEM certificate(s) of the authority that signed the server's certificate."),
              cert: z.string().optional().describe("PEM client certificate, for servers that require one."),
              key: secret.optional().describe("PEM private key of the client certificate; stored encrypted."),
              rejectUnauthorized: z
                .boolean()
                .optional()
                .describe("Refuse a server whose certificate is not trusted (default true)."),
            })
            .describe("TLS with given certificates."),
        ])
        .optional()
        .describe("TLS for the connection: true, false, or certificates. Unset: the driver's and URL's defaults."),
      pool: z
        .object({
          max: positiveInt.optional().describe("Most connections open at once (the driver's default when unset)."),
          min: z.number().int().min(0).optional().describe("Connections kept open when idle."),
          idleTimeoutMs: positiveInt.optional().describe("Milliseconds an idle connection stays open before it is closed."),
          acquireTimeoutMs: positiveInt
            .optional()
            .describe("Milliseconds a statement waits for a free connection before it fails with a transient error."),
        })
        .optional()
        .describe("The connection pool (the TypeORM DataSource's native pool)."),
      connectTimeoutMs: positiveInt.optional().describe("Milliseconds to wait for a new connection to open before giving up."),
      passwordFrom: z
        .union([
          z.object({ provider: z.string().min(1).describe("The name the application registered the provider under.") }).strict(),
          z.object({ env: z.string().min(1).describe("The environment variable that holds the password.") }).strict(),
        ])
        .optional()
        .describe(
          "Where the password comes from, asked for each new connection and never stored: a registered credential provider, or an environment variable.",
        ),
      maxOpenCursors: positiveInt
        .optional()
        .describe("How many fetch cursors may be open at once (default 8; each holds a connection until read to the end or reset)."),
    })
    .describe("A connection to a SQL database, saved encrypted and loaded by name.");
}
