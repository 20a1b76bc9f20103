/**
 * Every error sqlblocks raises is a {@link SqlBlocksError} with a stable `code`
 * and a message that tells the user what to do next.
 */

import { installCommand } from "./driver/install-hint.js";
import { SqlBlocksError, type SqlBlocksErrorOptions } from "./errors/base.js";

export { isSqlBlocksError, SqlBlocksError, type SqlBlocksErrorOptions } from "./errors/base.js";
export * from "./errors/database.js";

/** A block name does not follow the naming rule. */
export class InvalidBlockNameError extends SqlBlocksError {
  constructor(
    readonly blockName: string,
    readonly suggestion: string | undefined,
  ) {
    super(
      "SQLBLOCKS_INVALID_BLOCK_NAME",
      `invalid block name ${JSON.stringify(blockName)}: names use lowercase letters, digits, "-" and "_", ` +
        `are 1 to 128 characters long and start with a letter or digit` +
        (suggestion ? `; try ${JSON.stringify(suggestion)}` : ""),
    );
  }
}

/** `save` found a block with the same type and name and `overwrite` was not set. */
export class BlockAlreadyExistsError extends SqlBlocksError {
  constructor(
    readonly blockType: string,
    readonly blockName: string,
  ) {
    super(
      "SQLBLOCKS_BLOCK_EXISTS",
      `a ${blockType} block named "${blockName}" already exists: pass { overwrite: true } to replace it`,
    );
  }
}

/** No block of that type and name is stored. */
export class BlockNotFoundError extends SqlBlocksError {
  constructor(
    readonly blockType: string,
    readonly blockName: string,
    readonly storeLocation: string,
  ) {
    super("SQLBLOCKS_BLOCK_NOT_FOUND", `no ${blockType} block named "${blockName}" in the store at ${storeLocation}`);
  }
}

/** A slug names no registered block type. */
export class BlockTypeNotFoundError extends SqlBlocksError {
  constructor(
    readonly slug: string,
    readonly known: readonly string[],
  ) {
    super(
      "SQLBLOCKS_BLOCK_TYPE_NOT_FOUND",
      `no block type with slug "${slug}"` + (known.length ? `; known types: ${known.join(", ")}` : ""),
    );
  }
}

/** Block data does not match the block type's schema. */
export class BlockValidationError extends SqlBlocksError {
  constructor(
    readonly blockType: string,
    readonly issues: readonly { path: string; message: string }[],
    context = "",
  ) {
    super(
      "SQLBLOCKS_BLOCK_INVALID",
      `invalid ${blockType} block${context}: ` +
        issues.map((issue) => `${issue.path || "(root)"}: ${issue.message}`).join("; ") +
        (context.includes("stored") ? "; load it with { validate: false } to read what is still valid" : ""),
    );
  }

  /** The names of the fields that failed validation. */
  get fields(): string[] {
    return [...new Set(this.issues.map((issue) => issue.path))];
  }
}

/** The encryption key is missing, malformed, or does not open the stored data. */
export class EncryptionKeyError extends SqlBlocksError {
  constructor(message: string, options: SqlBlocksErrorOptions = {}) {
    super("SQLBLOCKS_ENCRYPTION_KEY", message, options);
  }
}

/** The block store could not be opened or used. */
export class StoreError extends SqlBlocksError {
  constructor(message: string, options: SqlBlocksErrorOptions = {}) {
    super("SQLBLOCKS_STORE", message, options);
  }
}

/** A driver name or URL scheme is not one sqlblocks knows. */
export class UnknownDriverError extends SqlBlocksError {
  constructor(
    readonly driverName: string,
    readonly valid: readonly string[],
  ) {
    super(
      "SQLBLOCKS_UNKNOWN_DRIVER",
      `unknown driver "${driverName}": use one of ${valid.join(", ")}`,
    );
  }
}

/** A connection URL could not be parsed. The message never contains the password. */
export class InvalidUrlError extends SqlBlocksError {
  constructor(reason: string) {
    super("SQLBLOCKS_INVALID_URL", `invalid connection URL: ${reason}`);
  }
}

/** Connection settings other than the URL are wrong. */
export class InvalidConnectionInfoError extends SqlBlocksError {
  constructor(reason: string) {
    super("SQLBLOCKS_INVALID_CONNECTION_INFO", `invalid connection info: ${reason}`);
  }
}

/** The driver package a block needs is not installed in the application. */
export class DriverNotInstalledError extends SqlBlocksError {
  constructor(
    readonly driver: string,
    readonly packageName: string,
    blockName?: string,
    options: SqlBlocksErrorOptions = {},
  ) {
    super(
      "SQLBLOCKS_DRIVER_NOT_INSTALLED",
      `${blockName ? `block "${blockName}"` : "this connector"} uses driver ${driver}, but ${packageName} is not installed: run ${installCommand(packageName)} (or import it and pass it to registerDriver from @sqlblocks/core)`,
      options,
    );
  }
}

/** The driver package exists but could not be loaded or is not a valid plug-in. */
export class DriverLoadError extends SqlBlocksError {
  constructor(message: string, options: SqlBlocksErrorOptions = {}) {
    super("SQLBLOCKS_DRIVER_LOAD", message, options);
  }
}

/** Named parameters used in the SQL were not supplied. */
export class MissingParametersError extends SqlBlocksError {
  constructor(
    readonly missing: readonly string[],
    /** For executeMany: the index of the parameter set that lacks them. */
    readonly index?: number,
  ) {
    super(
      "SQLBLOCKS_MISSING_PARAMETERS",
      `missing value${missing.length > 1 ? "s" : ""} for parameter${missing.length > 1 ? "s" : ""} ${missing.map((n) => `:${n}`).join(", ")}` +
        (index === undefined ? "" : ` in parameter set ${index}`),
    );
  }
}

/** Parameters were given in a form sqlblocks cannot bind. */
export class InvalidParametersError extends SqlBlocksError {
  constructor(reason: string) {
    super("SQLBLOCKS_INVALID_PARAMETERS", `invalid parameters: ${reason}`);
  }
}

/**
 * No pooled connection became free within `pool.acquireTimeoutMs`. Transient: the same call
 * may succeed once other callers release their connections.
 */
export class PoolTimeoutError extends SqlBlocksError {
  override readonly transient = true;
  constructor(
    /** The pool's size (`pool.max`), when the connector set one. */
    readonly poolMax: number | undefined,
    readonly timeoutMs: number,
  ) {
    super(
      "SQLBLOCKS_POOL_TIMEOUT",
      `no connection of the pool (${poolMax === undefined ? "the driver's default size" : `pool.max = ${poolMax}`}) became free within ${timeoutMs} ms: ` +
        "raise pool.max or pool.acquireTimeoutMs, hold connections for less time, or do not call the connector again from inside its own transaction",
    );
  }
}

/** Too many fetch cursors are open at once on one connector. */
export class TooManyCursorsError extends SqlBlocksError {
  constructor(readonly limit: number) {
    super(
      "SQLBLOCKS_TOO_MANY_CURSORS",
      `more than ${limit} fetch cursors are open on this connector: read them to the end, call resetConnections(), or raise maxOpenCursors`,
    );
  }
}
