/**
 * sqlblocks core: blocks, the encrypted block store, connection URLs, the named-parameter
 * compiler and {@link SqlConnector}.
 *
 * @packageDocumentation
 */
export {
  Block,
  type BlockClass,
  type BlockTypeDefinition,
  type LoadOptions,
  registerBlockType,
  registeredBlockTypes,
  type SaveOptions,
} from "./blocks/block.js";
export { assertValidBlockName, suggestBlockName } from "./blocks/names.js";
export { maskBlockData } from "./blocks/serialize.js";
export { STATEMENT_CHANNEL, type StatementEvent, statementChannel } from "./connector/events.js";
export type { ConnectionInfo, SqlConnectorOptions, SslOptionsInput } from "./connector/options.js";
export {
  type ExecuteResult,
  type Params,
  SqlConnector,
  type StreamOptions,
  type TransactionOptions,
  type TransactionScope,
} from "./connector/sql-connector.js";
export { ENCRYPTION_KEY_ENV, KEY_FILE_NAME } from "./crypto/keys.js";
export type { PoolOptions, Row, SslOptions } from "./driver/contract.js";
export { Driver, DRIVER_PACKAGES, knownDriverNames, resolveDriver } from "./driver/drivers.js";
export { clearDriverRegistry, loadDriverPlugin, registerDriver } from "./driver/registry.js";
export * from "./errors.js";
export { compileNamed, compileSql, type PlaceholderStyle } from "./params/index.js";
export { isSecret, MASK, revealSecret, Secret } from "./secret/secret.js";
export {
  type BlockDocumentInfo,
  BlockStore,
  type BlockTypeRecord,
  closeDefaultStores,
  getDefaultStore,
  HOME_ENV,
  STORE_FILE_NAME,
  storeHome,
} from "./store/block-store.js";
export type { StoreDatabase } from "./store/database.js";
export type { ConnectionComponents, ConnectionComponentsInput } from "./url/components.js";
export { maskUrlPasswords, normalizeComponents, parseConnectionUrl, renderConnectionUrl } from "./url/index.js";
export { quoteIdentifier } from "./transfer/identifiers.js";
export {
  type LoadRowsOptions,
  loadRows,
  type TransferCommitMode,
  TransferError,
  type TransferProgress,
  type TransferResult,
} from "./transfer/load-rows.js";
export { type TransferOptions, transfer } from "./transfer/transfer.js";
