import { z } from "zod";
import type { PoolOptions, SslOptions } from "../driver/contract.js";
import { isSecret, type Secret } from "../secret/secret.js";
import type { ConnectionComponentsInput } from "../url/components.js";

/** How a connector reaches its database: components, or a URL (a password inside is a secret). */
export type ConnectionInfo = ConnectionComponentsInput | string | Secret;

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
}

const secret = z.custom<Secret>((value) => isSecret(value), { message: "expected a secret" });
const positiveInt = z.number().int().positive();

const componentsSchema = z.object({
  driver: z.string().min(1),
  database: z.string().optional(),
  username: z.string().optional(),
  password: secret.optional(),
  host: z.string().optional(),
  port: z.number().int().min(1).max(65535).optional(),
  query: z.record(z.string(), z.string()).optional(),
});

/** The stored shape of a SQL Connector block. */
export const sqlConnectorSchema = z.object({
  connectionInfo: z.union([componentsSchema, z.object({ url: secret })]),
  connectArgs: z.record(z.string(), z.unknown()).optional(),
  fetchSize: positiveInt.default(1),
  ssl: z
    .union([
      z.boolean(),
      z.object({
        ca: z.string().optional(),
        cert: z.string().optional(),
        key: secret.optional(),
        rejectUnauthorized: z.boolean().optional(),
      }),
    ])
    .optional(),
  pool: z
    .object({
      max: positiveInt.optional(),
      min: z.number().int().min(0).optional(),
      idleTimeoutMs: positiveInt.optional(),
      acquireTimeoutMs: positiveInt.optional(),
    })
    .optional(),
  connectTimeoutMs: positiveInt.optional(),
  maxOpenCursors: positiveInt.optional(),
});
