import { BatchItemError, type BulkInsertTarget, type DialectFacts, type DriverConnection } from "../driver/contract.js";
import { InvalidParametersError, type SqlBlocksError } from "../errors.js";
import { type CompiledSql, compileSql, planInsertBatch } from "../params/index.js";
import type { StatementRunner } from "./runner.js";
import { assertSqlText, bindWithIndex, compileOptions, isPositional } from "./statement-text.js";
import type { ExecuteResult, Params } from "./types.js";

const DEFAULT_MAX_ROWS_PER_INSERT = 1000;
/**
 * From this many parameter sets on, a plain INSERT goes through the driver's bulk path
 * (COPY on PostgreSQL) when it has one; below it, one multi-row VALUES costs less.
 */
const BULK_MIN_SETS = 500;

/**
 * Inside `executeMany`: the parameter set at `index` failed with `cause`. When `multiRow`,
 * `index` is the first set of a multi-row INSERT that failed as a whole.
 */
export class BatchFailure extends Error {
  constructor(
    readonly index: number,
    override readonly cause: unknown,
    readonly multiRow: boolean,
  ) {
    super(`parameter set ${index} failed`);
  }
}

interface InsertPlan {
  rowsPerStatement: number;
  compile(rows: number): CompiledSql;
  rowValues: unknown[][];
  /** Set when the tuple is parameters alone: where a bulk load writes, and which bound value feeds each column. */
  bulk?: { target: BulkInsertTarget; valueIndex: readonly number[] } | undefined;
}

/** How `executeMany` sends its parameter sets: multi-row INSERTs, or one statement per set. */
export interface ManyPlan {
  sql: string;
  sets: number;
  insert?: InsertPlan | undefined;
  compiledSql?: string;
  valuesList?: unknown[][];
}

/** Checks and binds every parameter set before anything is sent. */
export function planMany(dialect: DialectFacts, sql: string, paramsList: readonly Params[]): ManyPlan {
  assertSqlText(sql);
  if (!Array.isArray(paramsList)) throw new InvalidParametersError("executeMany needs an array of parameter sets");
  if (paramsList.length === 0) return { sql, sets: 0 };
  const options = compileOptions(dialect);
  const named = paramsList.every((params) => !isPositional(params));
  const template = named && dialect.multiRowInsert !== false ? planInsertBatch(sql, dialect.placeholderStyle, options) : undefined;
  if (template) {
    const one = template.compile(1);
    const rowValues = paramsList.map((params, index) => bindWithIndex(one, params, index));
    const maxRows = Math.min(dialect.maxRowsPerInsert ?? DEFAULT_MAX_ROWS_PER_INSERT, DEFAULT_MAX_ROWS_PER_INSERT);
    const bulk = template.bulk
      ? {
          target: { table: template.bulk.table, columns: template.bulk.columns },
          valueIndex: template.bulk.params.map((name) => one.order.indexOf(name)),
        }
      : undefined;
    return {
      sql,
      sets: paramsList.length,
      insert: {
        rowsPerStatement: template.rowsPerStatement(dialect.maxBindParameters, maxRows),
        compile: (rows) => template.compile(rows),
        rowValues,
        bulk,
      },
    };
  }
  const compiled = named ? compileSql(sql, dialect.placeholderStyle, options) : { sql, order: [] as string[], names: [] as string[] };
  const valuesList = paramsList.map((params, index) => {
    if (params === null || typeof params !== "object") {
      throw new InvalidParametersError(`parameter set ${index} must be an object or an array`);
    }
    return bindWithIndex(compiled, params, index);
  });
  return { sql, sets: paramsList.length, compiledSql: compiled.sql, valuesList };
}

async function runInsertBatch(connection: DriverConnection, insert: InsertPlan, start: number, rows: number): Promise<number> {
  const compiled = insert.compile(rows);
  const values: unknown[] = [];
  for (let index = start; index < start + rows; index++) {
    for (const value of insert.rowValues[index]!) values.push(value);
  }
  return (await connection.query(compiled.sql, values)).rowCount;
}

/** Sends the plan; a failure is a {@link BatchFailure} naming the set (or batch) at fault. */
export async function runMany(connection: DriverConnection, plan: ManyPlan): Promise<number> {
  const bulk = plan.insert?.bulk;
  if (bulk && connection.bulkInsert && plan.sets >= BULK_MIN_SETS) {
    const { valueIndex } = bulk;
    // Usually each column's parameter is bound in column order already: no copy needed.
    const inOrder = valueIndex.every((position, column) => position === column) && valueIndex.length === plan.insert!.rowValues[0]?.length;
    const rows = inOrder ? plan.insert!.rowValues : plan.insert!.rowValues.map((values) => valueIndex.map((index) => values[index]));
    try {
      return await connection.bulkInsert(bulk.target, rows);
    } catch (error) {
      // A row the database named is exact; otherwise the VALUES replay finds it.
      throw error instanceof BatchItemError ? new BatchFailure(error.index, error.cause, false) : new BatchFailure(0, error, true);
    }
  }
  if (plan.insert) {
    let total = 0;
    const step = plan.insert.rowsPerStatement;
    for (let start = 0; start < plan.sets; start += step) {
      try {
        total += await runInsertBatch(connection, plan.insert, start, Math.min(step, plan.sets - start));
      } catch (error) {
        throw new BatchFailure(start, error, true);
      }
    }
    return total;
  }
  const sql = plan.compiledSql!;
  const valuesList = plan.valuesList!;
  if (connection.executeRepeated) {
    try {
      return await connection.executeRepeated(sql, valuesList);
    } catch (error) {
      throw error instanceof BatchItemError ? new BatchFailure(error.index, error.cause, false) : error;
    }
  }
  let total = 0;
  for (let index = 0; index < valuesList.length; index++) {
    try {
      total += (await connection.query(sql, valuesList[index]!)).rowCount;
    } catch (error) {
      throw new BatchFailure(index, error, false);
    }
  }
  return total;
}

/**
 * A multi-row batch failed as a whole; find which parameter set caused it by replaying
 * in a transaction that is always rolled back: earlier batches as batches, then the
 * failing batch one set at a time. `undefined` when the replay could not tell.
 */
async function locate(rehearse: NonNullable<StatementRunner["source"]["rehearse"]>, plan: ManyPlan, batchIndex: number): Promise<number | undefined> {
  const insert = plan.insert!;
  let located: number | undefined;
  await rehearse(async (connection) => {
    for (let start = 0; start < batchIndex; start += insert.rowsPerStatement) {
      await runInsertBatch(connection, insert, start, Math.min(insert.rowsPerStatement, batchIndex - start));
    }
    const end = Math.min(batchIndex + insert.rowsPerStatement, plan.sets);
    for (let index = batchIndex; index < end; index++) {
      try {
        await runInsertBatch(connection, insert, index, 1);
      } catch {
        located = index;
        return;
      }
    }
  }).catch(() => undefined);
  return located;
}

/** The one way a failed `executeMany` is decoded into the error its caller sees. */
async function explain(runner: StatementRunner, plan: ManyPlan, error: unknown): Promise<SqlBlocksError> {
  if (!(error instanceof BatchFailure)) return runner.wrap(error, plan.sql);
  let index = error.index;
  const rehearse = runner.source.rehearse;
  if (error.multiRow && plan.insert && rehearse && !runner.wrap(error.cause, plan.sql).transient) {
    index = (await locate(rehearse.bind(runner.source), plan, error.index)) ?? error.index;
  }
  return runner.wrap(error.cause, plan.sql, index);
}

/** `executeMany` for the connector and its transactions alike. */
export async function executeBatch(runner: StatementRunner, sql: string, paramsList: readonly Params[]): Promise<ExecuteResult> {
  const plan = planMany(runner.plugin, sql, paramsList);
  if (plan.sets === 0) return { rowCount: 0, rows: [] };
  return runner.observe("executeMany", sql, async () => {
    try {
      return { rowCount: await runner.source.atomic((connection) => runMany(connection, plan)), rows: [] };
    } catch (error) {
      throw await explain(runner, plan, error);
    }
  }, plan.sets);
}
