import { type CredentialProvider, isPasswordSource, type PasswordSource } from "../credentials/providers.js";
import type { SslOptions } from "../driver/contract.js";
import { BlockValidationError, InvalidConnectionInfoError, InvalidParametersError } from "../errors.js";
import { isSecret, Secret } from "../secret/secret.js";
import type { ConnectionComponents, ConnectionComponentsInput } from "../url/components.js";
import { normalizeComponents, parseConnectionUrl } from "../url/index.js";
import { type ConnectionInfo, type SqlConnectorOptions, sqlConnectorSchema } from "./options.js";
import { isCheckedConnectorData } from "./quick-check.js";

/** How many fetch cursors may be open when the options do not say. */
export const DEFAULT_MAX_OPEN_CURSORS = 8;

/** A connector's settings, checked and normalized from {@link SqlConnectorOptions}. */
export interface ConnectorSettings {
  /** Components, or the URL as a {@link Secret}. */
  readonly connectionInfo: ConnectionComponents | Secret;
  /** The components (parsed from the URL when a URL was given). */
  readonly components: ConnectionComponents;
  readonly connectArgs: Record<string, unknown> | undefined;
  readonly fetchSize: number;
  readonly ssl: boolean | SslOptions | undefined;
  readonly pool: SqlConnectorOptions["pool"];
  readonly connectTimeoutMs: number | undefined;
  readonly maxOpenCursors: number;
  /** Where the password comes from instead of a stored one (saved with the block). */
  readonly passwordFrom: PasswordSource | undefined;
  /** A password function given in the connection info: usable, never saved. */
  readonly passwordFunction: CredentialProvider | undefined;
}

/** Checks and normalizes what `new SqlConnector(…)` was given (a plain-string TLS key becomes a Secret). */
export function readSettings(options: SqlConnectorOptions): ConnectorSettings {
  if (typeof options !== "object" || options === null) {
    throw new InvalidConnectionInfoError(
      'a SqlConnector needs { connectionInfo }: a URL such as "postgresql+pg://user@host/db" or connection components',
    );
  }
  const info: ConnectionInfo = options.connectionInfo;
  let connectionInfo: ConnectionComponents | Secret;
  let components: ConnectionComponents;
  let passwordFunction: CredentialProvider | undefined;
  if (typeof info === "string" || isSecret(info)) {
    connectionInfo = Secret.from(info);
    components = parseConnectionUrl(connectionInfo);
  } else {
    const { password, ...rest } = (info ?? {}) as ConnectionComponentsInput & { password?: unknown };
    if (typeof password === "function") passwordFunction = password as CredentialProvider;
    components = normalizeComponents(passwordFunction ? rest : (info as ConnectionComponentsInput));
    connectionInfo = components;
  }
  if (options.passwordFrom !== undefined && !isPasswordSource(options.passwordFrom)) {
    throw new InvalidConnectionInfoError('passwordFrom must be { provider: "name" } or { env: "VARIABLE" }');
  }
  if ([components.password, passwordFunction, options.passwordFrom].filter((p) => p !== undefined).length > 1) {
    throw new InvalidConnectionInfoError("give the password one way: a stored password, a password function, or passwordFrom");
  }
  if (options.fetchSize !== undefined && !(Number.isInteger(options.fetchSize) && options.fetchSize > 0)) {
    throw new InvalidParametersError(`fetchSize must be a positive integer, got ${String(options.fetchSize)}`);
  }
  const ssl = options.ssl;
  return {
    connectionInfo,
    components,
    connectArgs: options.connectArgs,
    fetchSize: options.fetchSize ?? 1,
    ssl:
      typeof ssl === "object" && ssl !== null && typeof ssl.key === "string"
        ? { ...ssl, key: new Secret(ssl.key) }
        : (ssl as boolean | SslOptions | undefined),
    pool: options.pool,
    connectTimeoutMs: options.connectTimeoutMs,
    maxOpenCursors: options.maxOpenCursors ?? DEFAULT_MAX_OPEN_CURSORS,
    passwordFrom: options.passwordFrom,
    passwordFunction,
  };
}

/** The stored shape of the settings (defaults left out). */
export function settingsToBlockData(settings: Omit<ConnectorSettings, "components" | "passwordFunction">): Record<string, unknown> {
  const info = settings.connectionInfo;
  return dropUndefined({
    connectionInfo: isSecret(info) ? { url: info } : dropUndefined({ ...info }),
    connectArgs: settings.connectArgs,
    fetchSize: settings.fetchSize,
    ssl: settings.ssl,
    pool: settings.pool,
    connectTimeoutMs: settings.connectTimeoutMs,
    maxOpenCursors: settings.maxOpenCursors === DEFAULT_MAX_OPEN_CURSORS ? undefined : settings.maxOpenCursors,
    passwordFrom: settings.passwordFrom,
  });
}

/** The same rules as a saved block: `pool: { max: 0 }` fails at construction, not as a silent default. */
export function validateSettings(typeName: string, settings: ConnectorSettings): void {
  const data = settingsToBlockData(settings);
  if (isCheckedConnectorData(data)) return;
  const checked = sqlConnectorSchema().safeParse(data);
  if (!checked.success) {
    throw new BlockValidationError(
      typeName,
      checked.error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message })),
      " options",
    );
  }
}

function dropUndefined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
