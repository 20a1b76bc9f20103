/**
 * Files for sqlblocks: stream query results to CSV, NDJSON and Parquet, load those files into
 * tables through the bulk insert path, and build Apache Arrow tables.
 *
 * @packageDocumentation
 */
export { ArrowNotInstalledError, fetchArrow } from "./arrow.js";
export { FileFormatError } from "./errors.js";
export { type ExportOptions, type ExportResult, exportQuery, writeRows } from "./export.js";
export { type FileFormat, formatOf } from "./format.js";
export { type LoadFileOptions, loadFile } from "./load.js";
export type { BinaryEncoding } from "./values.js";
