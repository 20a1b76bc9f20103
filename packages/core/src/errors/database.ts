/**
 * Errors a database raises, as portable classes: the same class and `code` whichever of
 * the five drivers ran the statement, with the driver's own code kept in `driverCode`.
 */

import { SqlBlocksError } from "./base.js";

/**
 * The portable kinds of database failure a driver's error classification can name.
 * Each maps to one subclass of {@link DatabaseError} (see {@link DATABASE_ERROR_CLASSES}).
 */
export type DatabaseErrorKind =
  | "unique_violation"
  | "foreign_key_violation"
  | "not_null_violation"
  | "check_violation"
  | "deadlock"
  | "serialization_failure"
  | "lock_timeout"
  | "query_canceled"
  | "connection_lost"
  | "sql_syntax"
  | "permission_denied";

/** Where a failed statement came from, for {@link DatabaseError}. */
export interface DatabaseErrorDetails {
  /** The SQL text (never the parameter values). */
  sql: string;
  /** The driver's code: SQLSTATE, errno, SQLite code, SQL Server number or ORA number. */
  driverCode?: string | undefined;
  /** Whether retrying may succeed. */
  transient: boolean;
  /** For executeMany: the index of the parameter set that failed. */
  index?: number | undefined;
  cause?: unknown;
}

/**
 * The database rejected a statement or the connection failed.
 *
 * Carries the SQL text and the driver's code, never the parameter values. Its `code` is
 * stable per class: `SQLBLOCKS_DATABASE` here, one code per subclass below. Whether a
 * retry may succeed is the `transient` field, never the code.
 */
export class DatabaseError extends SqlBlocksError {
  override readonly transient: boolean;
  /** The SQL text of the failing statement. */
  readonly sql: string;
  /** The driver's own code (SQLSTATE, errno, SQLITE_…, SQL Server number, ORA-nnnnn), when it gave one. */
  readonly driverCode: string | undefined;
  /** For executeMany: which parameter set failed (0-based), when known. */
  readonly index: number | undefined;

  constructor(message: string, details: DatabaseErrorDetails, code = "SQLBLOCKS_DATABASE") {
    super(code, message, { cause: details.cause });
    this.transient = details.transient;
    this.sql = details.sql;
    this.driverCode = details.driverCode;
    this.index = details.index;
  }
}

/** A row would duplicate a unique or primary key (PG 23505, MySQL 1062, SQLITE_CONSTRAINT_UNIQUE, MSSQL 2627/2601, ORA-00001). */
export class UniqueViolationError extends DatabaseError {
  constructor(message: string, details: DatabaseErrorDetails) {
    super(message, details, "SQLBLOCKS_UNIQUE_VIOLATION");
  }
}

/** A row refers to a missing parent, or a parent still has children (PG 23503, MySQL 1451/1452, ORA-02291/02292). */
export class ForeignKeyViolationError extends DatabaseError {
  constructor(message: string, details: DatabaseErrorDetails) {
    super(message, details, "SQLBLOCKS_FOREIGN_KEY_VIOLATION");
  }
}

/** A NOT NULL column was given no value (PG 23502, MySQL 1048, SQLITE_CONSTRAINT_NOTNULL, MSSQL 515, ORA-01400). */
export class NotNullViolationError extends DatabaseError {
  constructor(message: string, details: DatabaseErrorDetails) {
    super(message, details, "SQLBLOCKS_NOT_NULL_VIOLATION");
  }
}

/** A CHECK constraint refused a row (PG 23514, MySQL 3819, MariaDB 4025, SQLITE_CONSTRAINT_CHECK, ORA-02290). */
export class CheckViolationError extends DatabaseError {
  constructor(message: string, details: DatabaseErrorDetails) {
    super(message, details, "SQLBLOCKS_CHECK_VIOLATION");
  }
}

/** The transaction was chosen as a deadlock victim (PG 40P01, MySQL 1213, MSSQL 1205, ORA-00060). Always transient. */
export class DeadlockError extends DatabaseError {
  constructor(message: string, details: DatabaseErrorDetails) {
    super(message, { ...details, transient: true }, "SQLBLOCKS_DEADLOCK");
  }
}

/** The transaction could not be serialized with concurrent ones (PG 40001, MSSQL 3960, ORA-08177). Always transient. */
export class SerializationFailureError extends DatabaseError {
  constructor(message: string, details: DatabaseErrorDetails) {
    super(message, { ...details, transient: true }, "SQLBLOCKS_SERIALIZATION_FAILURE");
  }
}

/** A lock could not be had in time (PG 55P03, MySQL 1205, SQLITE_BUSY, MSSQL 1222, ORA-00054/30006). Always transient. */
export class LockTimeoutError extends DatabaseError {
  constructor(message: string, details: DatabaseErrorDetails) {
    super(message, { ...details, transient: true }, "SQLBLOCKS_LOCK_TIMEOUT");
  }
}

/** The statement was canceled, by a statement timeout or on request (PG 57014, MySQL 3024/1969/1317, SQLITE_INTERRUPT, ORA-01013). */
export class QueryCanceledError extends DatabaseError {
  constructor(message: string, details: DatabaseErrorDetails) {
    super(message, details, "SQLBLOCKS_QUERY_CANCELED");
  }
}

/**
 * The connection broke, could not be made, or the server ended the session (PG class 08 and
 * 57P01, MySQL 2013, socket errors such as ECONNRESET, ORA-03113). Always transient.
 */
export class ConnectionLostError extends DatabaseError {
  constructor(message: string, details: DatabaseErrorDetails) {
    super(message, { ...details, transient: true }, "SQLBLOCKS_CONNECTION_LOST");
  }
}

/** The SQL text does not parse (PG 42601, MySQL 1064, SQLite "syntax error", MSSQL 102, ORA-00900…). */
export class SqlSyntaxError extends DatabaseError {
  constructor(message: string, details: DatabaseErrorDetails) {
    super(message, details, "SQLBLOCKS_SQL_SYNTAX");
  }
}

/** The user may not do this (PG 42501, MySQL 1142/1044, SQLITE_AUTH, MSSQL 229, ORA-01031). */
export class PermissionDeniedError extends DatabaseError {
  constructor(message: string, details: DatabaseErrorDetails) {
    super(message, details, "SQLBLOCKS_PERMISSION_DENIED");
  }
}

/** The subclass of {@link DatabaseError} for each portable kind. */
export const DATABASE_ERROR_CLASSES: Readonly<
  Record<DatabaseErrorKind, new (message: string, details: DatabaseErrorDetails) => DatabaseError>
> = {
  unique_violation: UniqueViolationError,
  foreign_key_violation: ForeignKeyViolationError,
  not_null_violation: NotNullViolationError,
  check_violation: CheckViolationError,
  deadlock: DeadlockError,
  serialization_failure: SerializationFailureError,
  lock_timeout: LockTimeoutError,
  query_canceled: QueryCanceledError,
  connection_lost: ConnectionLostError,
  sql_syntax: SqlSyntaxError,
  permission_denied: PermissionDeniedError,
};

/**
 * Builds the {@link DatabaseError} subclass for a kind (a plain `DatabaseError` when the
 * kind is unknown or absent).
 *
 * @example
 * createDatabaseError("unique_violation", "duplicate key", { sql, driverCode: "23505", transient: false })
 * // UniqueViolationError { code: "SQLBLOCKS_UNIQUE_VIOLATION", … }
 */
export function createDatabaseError(
  kind: DatabaseErrorKind | undefined,
  message: string,
  details: DatabaseErrorDetails,
): DatabaseError {
  const ErrorClass = kind !== undefined && Object.hasOwn(DATABASE_ERROR_CLASSES, kind) ? DATABASE_ERROR_CLASSES[kind] : undefined;
  return ErrorClass ? new ErrorClass(message, details) : new DatabaseError(message, details);
}
