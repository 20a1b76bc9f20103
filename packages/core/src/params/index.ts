/**
 * Named parameters (`:name`) compiled to each driver's positional placeholders,
 * and the multi-row INSERT rewrite used by `executeMany`.
 */
export type { CompileOptions } from "./options.js";
export type { PlaceholderStyle } from "./placeholders.js";
export { bindParameters, type CompiledSql, compileNamed, compileSql } from "./compile.js";
export { type InsertBatchTemplate, planInsertBatch } from "./insert-batch.js";
export { type ScanOptions, type SqlSegment, scanSql } from "./scanner.js";
