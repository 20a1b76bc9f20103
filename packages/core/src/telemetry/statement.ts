import type { Attributes, Histogram, Span } from "@opentelemetry/api";
import type { DriverPlugin } from "../driver/contract.js";
import { Driver } from "../driver/drivers.js";
import { resolveScanOptions } from "../params/options.js";
import type { ScanOptions } from "../params/scanner.js";
import type { ConnectionComponents } from "../url/components.js";
import { openTelemetry, registeredAny } from "./api.js";
import { errorAttributes, recordFailure } from "./errors.js";
import { operationDuration } from "./metrics.js";
import {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_BATCH_SIZE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_SUMMARY,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_SYSTEM_NAME,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_SQLBLOCKS_BLOCK_NAME,
  ATTR_SQLBLOCKS_METHOD,
  ATTR_SQLBLOCKS_ROW_COUNT,
  DB_SYSTEM_NAMES,
  INSTRUMENTATION_SCOPE,
} from "./names.js";
import { analyzeQuery } from "./query.js";
import { telemetryEnabled } from "./switch.js";
import { ActiveTracer } from "./tracer.js";

const tracing = new ActiveTracer(INSTRUMENTATION_SCOPE);

/** What a statement's span and metric carry, worked out once per (method, SQL) and connector. */
interface PreparedStatement {
  readonly name: string;
  readonly spanAttributes: Attributes;
  readonly metricAttributes: Attributes;
}

const SYSTEM_BY_DRIVER: Readonly<Record<Driver, string>> = {
  [Driver.POSTGRESQL_PG]: DB_SYSTEM_NAMES.postgresql,
  [Driver.MYSQL_MYSQL2]: DB_SYSTEM_NAMES.mysql,
  [Driver.MARIADB_MYSQL2]: DB_SYSTEM_NAMES.mariadb,
  [Driver.SQLITE_BETTER_SQLITE3]: DB_SYSTEM_NAMES.sqlite,
  [Driver.MSSQL_TEDIOUS]: DB_SYSTEM_NAMES.mssql,
  [Driver.ORACLE_ORACLEDB]: DB_SYSTEM_NAMES.oracle,
};

const DEFAULT_PORTS: Readonly<Partial<Record<Driver, number>>> = {
  [Driver.POSTGRESQL_PG]: 5432,
  [Driver.MYSQL_MYSQL2]: 3306,
  [Driver.MARIADB_MYSQL2]: 3306,
  [Driver.MSSQL_TEDIOUS]: 1433,
  [Driver.ORACLE_ORACLEDB]: 1521,
};

/** Distinct statements remembered per connector; past this the memo starts over. */
const MAX_PREPARED = 1000;

/**
 * One connector's OpenTelemetry instrumentation: the attributes that are the same for all
 * its statements (`db.system.name`, `db.namespace`, `server.*`), and a memo of each
 * statement's name and attributes so that a repeated statement costs a map lookup.
 */
export class StatementTelemetry {
  readonly #connection: Attributes;
  readonly #system: string;
  readonly #scan: ScanOptions;
  /** By SQL text, then method: no key is built per call (a constant SQL string keeps its hash). */
  readonly #prepared = new Map<string, Map<string, PreparedStatement>>();

  constructor(
    components: ConnectionComponents,
    plugin: DriverPlugin,
    private readonly blockName: () => string | undefined,
  ) {
    const driver = components.driver;
    this.#system = SYSTEM_BY_DRIVER[driver] ?? String(driver).split("+")[0]!;
    this.#scan = resolveScanOptions(plugin.placeholderStyle, {
      backslashEscapes: plugin.backslashEscapes === true,
      hashComments: plugin.hashComments === true,
    });
    const connection: Attributes = { [ATTR_DB_SYSTEM_NAME]: this.#system };
    // A SQLite database is a file path: not a namespace to publish.
    if (driver !== Driver.SQLITE_BETTER_SQLITE3 && components.database) connection[ATTR_DB_NAMESPACE] = components.database;
    if (components.host) {
      connection[ATTR_SERVER_ADDRESS] = components.host;
      if (components.port !== undefined && components.port !== DEFAULT_PORTS[driver]) connection[ATTR_SERVER_PORT] = components.port;
    }
    this.#connection = connection;
  }

  /**
   * Starts the CLIENT span of one connector call, a child of the active span (the task's),
   * or returns `undefined` when instrumentation is off or no SDK is registered.
   */
  start(method: string, sql: string, batchSize?: number): StatementSpan | undefined {
    // Without a registered SDK (the common case) one global read answers: nothing to start.
    if (!telemetryEnabled() || !registeredAny()) return undefined;
    const tracer = tracing.get();
    const histogram = operationDuration();
    if (tracer === undefined && histogram === undefined) return undefined;
    const prepared = this.#prepare(method, sql, batchSize !== undefined);
    const batch = batchSize !== undefined && batchSize >= 2 ? batchSize : undefined;
    let span: Span | undefined;
    if (tracer !== undefined) {
      span = tracer.startSpan(prepared.name, { kind: openTelemetry().SpanKind.CLIENT, attributes: prepared.spanAttributes });
      if (span.isRecording()) {
        const blockName = this.blockName();
        if (blockName !== undefined) span.setAttribute(ATTR_SQLBLOCKS_BLOCK_NAME, blockName);
        if (batch !== undefined) span.setAttribute(ATTR_DB_OPERATION_BATCH_SIZE, batch);
      }
    }
    const metricAttributes = batch === undefined ? prepared.metricAttributes : { ...prepared.metricAttributes, [ATTR_DB_OPERATION_BATCH_SIZE]: batch };
    return new StatementSpan(span, histogram, metricAttributes);
  }

  /**
   * Runs a transaction's callback inside an INTERNAL `transaction` span, so the callback's
   * statements become its children.
   */
  async inTransaction<T>(run: () => Promise<T>): Promise<T> {
    const tracer = telemetryEnabled() ? tracing.get() : undefined;
    if (tracer === undefined) return run();
    const { context, SpanKind, trace } = openTelemetry();
    const span = tracer.startSpan("transaction", { kind: SpanKind.INTERNAL, attributes: this.#connection });
    try {
      const result = await context.with(trace.setSpan(context.active(), span), run);
      span.end();
      return result;
    } catch (error) {
      recordFailure(span, error);
      span.end();
      throw error;
    }
  }

  #prepare(method: string, sql: string, batch: boolean): PreparedStatement {
    let byMethod = this.#prepared.get(sql);
    if (byMethod === undefined) {
      if (this.#prepared.size >= MAX_PREPARED) this.#prepared.clear();
      byMethod = new Map();
      this.#prepared.set(sql, byMethod);
    }
    let prepared = byMethod.get(method);
    if (prepared === undefined) {
      prepared = this.#describe(method, sql, batch);
      byMethod.set(method, prepared);
    }
    return prepared;
  }

  #describe(method: string, sql: string, batch: boolean): PreparedStatement {
    const shape = analyzeQuery(sql, this.#scan, batch);
    const metricAttributes: Attributes = { ...this.#connection };
    if (shape.operation !== undefined) metricAttributes[ATTR_DB_OPERATION_NAME] = shape.operation;
    if (shape.collection !== undefined) metricAttributes[ATTR_DB_COLLECTION_NAME] = shape.collection;
    if (shape.summary !== undefined) metricAttributes[ATTR_DB_QUERY_SUMMARY] = shape.summary;
    const target = shape.collection ?? (this.#connection[ATTR_DB_NAMESPACE] as string | undefined);
    const name =
      shape.summary ??
      (shape.operation !== undefined ? `${shape.operation}${target ? ` ${target}` : ""}` : (target ?? this.#system));
    return {
      name,
      metricAttributes,
      spanAttributes: { ...metricAttributes, [ATTR_DB_QUERY_TEXT]: shape.text, [ATTR_SQLBLOCKS_METHOD]: method },
    };
  }
}

/**
 * A statement in progress: its span (when a tracer is registered) gets chunks as events, then
 * a row count or an error; its duration goes to the histogram (when a meter is registered).
 */
export class StatementSpan {
  readonly #started = performance.now();

  constructor(
    readonly span: Span | undefined,
    readonly histogram: Histogram | undefined,
    readonly metricAttributes: Attributes,
  ) {}

  /** One `stream` chunk delivered. */
  chunk(rows: number): void {
    if (this.span?.isRecording()) this.span.addEvent("chunk", { [ATTR_SQLBLOCKS_ROW_COUNT]: rows });
  }

  /** Ends the span of a call that succeeded. */
  succeeded(rowCount: number): void {
    this.span?.setAttribute(ATTR_SQLBLOCKS_ROW_COUNT, rowCount);
    this.span?.end();
    this.histogram?.record((performance.now() - this.#started) / 1000, this.metricAttributes);
  }

  /** Ends the span of a call that failed with `error` (already wrapped and redacted). */
  failed(error: unknown): void {
    const attributes = errorAttributes(error);
    if (this.span !== undefined) {
      recordFailure(this.span, error, attributes);
      this.span.end();
    }
    this.histogram?.record((performance.now() - this.#started) / 1000, { ...this.metricAttributes, ...attributes });
  }
}
