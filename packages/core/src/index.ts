/**
 * sqlblocks core: blocks, the encrypted block store, connection URLs, the named-parameter
 * compiler and {@link SqlConnector}.
 *
 * @packageDocumentation
 */
export {
  Block,
  type BlockClass,
  type BlockDescription,
  type BlockTypeDefinition,
  type LoadOptions,
  registerBlockType,
  registeredBlockTypes,
  type SaveOptions,
} from "./blocks/block.js";
export { assertValidBlockName, suggestBlockName } from "./blocks/names.js";
export { blockTypeJsonSchema, type JsonSchema, SECRET_KEYWORD } from "./blocks/json-schema.js";
export { maskBlockData } from "./blocks/serialize.js";
export { STATEMENT_CHANNEL, type StatementEvent, statementChannel } from "./connector/events.js";
export type { ConnectionInfo, SqlConnectorOptions, SslOptionsInput } from "./connector/options.js";
export {
  type ClientConnection,
  type ExecuteResult,
  type Params,
  SqlConnector,
  type StreamOptions,
  type TransactionOptions,
  type TransactionScope,
} from "./connector/sql-connector.js";
export type { IsolationLevel, PoolOptions, Row, SslOptions, StatementResult } from "./driver/contract.js";
export { Driver, DRIVER_PACKAGES, knownDriverNames, resolveDriver } from "./driver/drivers.js";
export { importOptionalPackage } from "./driver/locate.js";
export { clearDriverRegistry, loadDriverPlugin, registerDriver } from "./driver/registry.js";
export * from "./errors.js";
export { compileNamed, compileSql, type PlaceholderStyle } from "./params/index.js";
export { isSecret, MASK, revealSecret, Secret } from "./secret/secret.js";
export {
  type BlockDocument,
  type BlockDocumentInfo,
  BlockStore,
  type BlockTypeRecord,
  HOME_ENV,
  type KeyRotationResult,
  type SealedDocumentRow,
  storeHome,
} from "./store/block-store.js";
export type { StoreDatabase, StoreDialect, StoreEngine } from "./store/database.js";
export { type BlockCopyResult, copyBlocks } from "./store/copy-blocks.js";
export { closeDefaultStores, configureDefaultStore, getDefaultStore } from "./store/default-store.js";
export {
  applyMigrations,
  type StoreMigration,
  type StoreMigrationSet,
  schemaVersionKey,
  schemaVersions,
} from "./store/migrations.js";
export {
  DEFAULT_STORE_SCHEMA,
  resolveStoreTarget,
  STORE_ENGINE_ENV,
  STORE_FILE_NAME,
  STORE_SCHEMA_ENV,
  STORE_URL_ENV,
  type StoreOptions,
  type StoreTarget,
} from "./store/open-database.js";
export { CORE_OWNER, STORE_SCHEMA_VERSION } from "./store/schema.js";
export {
  ENCRYPTION_KEY_ENV,
  type EncryptionKey,
  KEY_FILE_NAME,
  keyFingerprint,
  NEW_KEY_FILE_NAME,
  parseEncryptionKey,
} from "./crypto/keys.js";
export { ConnectionComponents, type ConnectionComponentsInput } from "./url/components.js";
export {
  ActiveTracer,
  analyzeQuery,
  configureTelemetry,
  errorAttributes,
  errorTypeOf,
  extractTraceContext,
  injectTraceContext,
  type QueryShape,
  recordFailure,
  type TelemetryOptions,
  type TraceCarrier,
  telemetryEnabled,
  withTraceContext,
} from "./telemetry/index.js";
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
export {
  type CredentialProvider,
  CredentialProviderError,
  type CredentialRequest,
  type PasswordSource,
  registerCredentialProvider,
  unregisterCredentialProvider,
} from "./credentials/providers.js";
