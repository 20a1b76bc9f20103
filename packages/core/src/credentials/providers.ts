import type { Driver } from "../driver/drivers.js";
import { SqlBlocksError } from "../errors.js";

/** What a credential provider is told about the connection it is asked a password for. */
export interface CredentialRequest {
  driver: Driver;
  host: string | undefined;
  port: number | undefined;
  database: string | undefined;
  username: string | undefined;
  /** The block the connector was loaded from, when it was. */
  blockName: string | undefined;
}

/**
 * Returns the password for one new connection: a short-lived token (AWS RDS IAM, Microsoft
 * Entra ID), a value from a vault, … It is called each time the pool opens a connection, and
 * what it returns is never stored.
 */
export type CredentialProvider = (request: CredentialRequest) => string | Promise<string>;

/** Where a saved connector's password comes from, instead of a stored value. */
export type PasswordSource =
  /** A provider the application registers under this name with {@link registerCredentialProvider}. */
  | { provider: string }
  /** An environment variable, read each time a connection is opened. */
  | { env: string };

/** A credential provider is missing, misconfigured, or returned something that is not a password. */
export class CredentialProviderError extends SqlBlocksError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("SQLBLOCKS_CREDENTIAL_PROVIDER", message, options);
  }
}

const providers = new Map<string, CredentialProvider>();
const NAME = /^[a-z0-9][a-z0-9._-]{0,127}$/;

/**
 * Registers a provider by name, so that a saved block can say `passwordFrom: { provider: name }`
 * and store no password. Register it at start-up in every process that loads such a block.
 *
 * @example
 * import { registerCredentialProvider, SqlConnector } from "@sqlblocks/core";
 * import { Signer } from "@aws-sdk/rds-signer";
 *
 * registerCredentialProvider("rds-iam", ({ host, port, username }) =>
 *   new Signer({ hostname: host!, port: port ?? 5432, username: username!, region: "eu-west-1" }).getAuthToken(),
 * );
 * await new SqlConnector({ connectionInfo: "postgresql+pg://app@db.example.com/prod?sslmode=require", passwordFrom: { provider: "rds-iam" } }).save("prod");
 */
export function registerCredentialProvider(name: string, provider: CredentialProvider): void {
  if (typeof name !== "string" || !NAME.test(name)) {
    throw new CredentialProviderError(
      `invalid credential provider name ${JSON.stringify(name)}: use lowercase letters, digits, ".", "-" and "_", starting with a letter or digit`,
    );
  }
  if (typeof provider !== "function") throw new CredentialProviderError(`credential provider ${JSON.stringify(name)} must be a function`);
  providers.set(name, provider);
}

/** Removes a registered provider (tests, hot reload). */
export function unregisterCredentialProvider(name: string): void {
  providers.delete(name);
}

/** What a provider is told about a connector's connection. */
export function credentialRequest(
  components: { driver: Driver; host?: string | undefined; port?: number | undefined; database?: string | undefined; username?: string | undefined },
  blockName: string | undefined,
): CredentialRequest {
  const { driver, host, port, database, username } = components;
  return { driver, host, port, database, username, blockName };
}

/** Checks a stored or given password source. */
export function isPasswordSource(value: unknown): value is PasswordSource {
  if (typeof value !== "object" || value === null) return false;
  const keys = Object.keys(value);
  const record = value as Record<string, unknown>;
  return keys.length === 1 && (typeof record.provider === "string" || typeof record.env === "string");
}

/**
 * Turns a provider function or a password source into what drivers call for each new
 * connection. `remember` receives every password handed out, so that error texts can mask it.
 */
export function passwordSupplier(
  source: CredentialProvider | PasswordSource,
  request: () => CredentialRequest,
  remember: (password: string) => void,
): () => Promise<string> {
  return async () => {
    let password: unknown;
    if (typeof source === "function") {
      password = await source(request());
    } else if ("env" in source) {
      password = process.env[source.env];
      if (password === undefined || password === "") {
        throw new CredentialProviderError(`the password comes from the environment variable ${source.env}, which is not set`);
      }
    } else {
      const provider = providers.get(source.provider);
      if (!provider) {
        throw new CredentialProviderError(
          `no credential provider named ${JSON.stringify(source.provider)} is registered in this process: ` +
            `call registerCredentialProvider(${JSON.stringify(source.provider)}, fn) at start-up, before the block is used`,
        );
      }
      try {
        password = await provider(request());
      } catch (error) {
        throw new CredentialProviderError(`credential provider ${JSON.stringify(source.provider)} failed`, { cause: error });
      }
    }
    if (typeof password !== "string" || password === "") {
      throw new CredentialProviderError("a credential provider must return a non-empty string");
    }
    remember(password);
    return password;
  };
}
