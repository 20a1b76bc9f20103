/**
 * The driver plug-in contract: what a `@sqlblocks/driver-*` package implements.
 *
 * @packageDocumentation
 */
export {
  BatchItemError,
  type BulkInsertTarget,
  type ConnectionFactory,
  type ConnectionSettings,
  type CursorOptions,
  type DialectFacts,
  DRIVER_CONTRACT_VERSION,
  type DriverConnection,
  type DriverCursor,
  type DriverPlugin,
  type ErrorClassification,
  type ErrorClassifier,
  type FirstPage,
  type IsolationLevel,
  type OptionMapping,
  isDriverPlugin,
  type NativePool,
  type NativePoolFactory,
  type PoolOptions,
  type Row,
  type SslOptions,
  type StatementResult,
} from "./contract.js";
export { dialectOf, type Dialect, Driver, DRIVER_PACKAGES } from "./drivers.js";
export type { PlaceholderStyle } from "../params/index.js";
export { InvalidConnectionInfoError } from "../errors.js";
export type { DatabaseErrorKind } from "../errors/database.js";
export {
  mergeOptions,
  normalizeQueryKey,
  parseBoolean,
  parseInteger,
  readPemFile,
  TRANSIENT_SOCKET_CODES,
} from "./options.js";
/**
 * TypeORM's types as core's own TypeORM defines them. Drivers take them from here, so their
 * published types follow the TypeORM that core runs them with, whatever TypeORM the
 * application itself uses (drivers do not depend on TypeORM).
 */
export type { DataSource, DataSourceOptions, QueryRunner } from "typeorm";
export { revealSecret, isSecret, Secret } from "../secret/secret.js";
export type { ConnectionComponents } from "../url/components.js";
