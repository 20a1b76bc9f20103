import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { BatchItemError, type BulkInsertTarget } from "@sqlblocks/core/driver";
import pg, { type PoolClient } from "pg";
import { from as copyFrom } from "pg-copy-streams";

/** pg's own conversion of a parameter value to its text form (what a `$n` would send). */
const prepareValue = (pg as unknown as { utils: { prepareValue(value: unknown): unknown } }).utils.prepareValue;

/** Rows per COPY statement: bounded, so a failure's line number maps back to a parameter set cheaply. */
const ROWS_PER_COPY = 20_000;
const SPECIAL = /[\\\n\r\t]/;
const SPECIAL_ALL = /[\\\n\r\t]/g;
const ESCAPES: Readonly<Record<string, string>> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escapeText(text: string): string {
  return SPECIAL.test(text) ? text.replace(SPECIAL_ALL, (char) => ESCAPES[char] as string) : text;
}

/**
 * One value in COPY's text format, converted exactly as pg converts a bound parameter (so the
 * server reads the same text for the column either way): NULL is `\N`, binary is `\x…` hex,
 * dates are pg's local-time form, objects are JSON, arrays are PostgreSQL array literals.
 */
export function copyText(value: unknown): string {
  if (value === null || value === undefined) return "\\N";
  if (typeof value === "string") return escapeText(value);
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value instanceof Date) return dateText(value);
  const prepared = prepareValue(value);
  if (prepared === null || prepared === undefined) return "\\N";
  if (Buffer.isBuffer(prepared)) return `\\\\x${prepared.toString("hex")}`;
  return escapeText(String(prepared));
}

let lastDate: Date | undefined;
let lastDateTime = Number.NaN;
let lastDateText = "";

/** pg's text for a Date; rows often share one Date object (`created: now`), so the last one is remembered. */
function dateText(date: Date): string {
  const time = date.getTime();
  if (date !== lastDate || time !== lastDateTime) {
    lastDateText = escapeText(String(prepareValue(date)));
    lastDate = date;
    lastDateTime = time;
  }
  return lastDateText;
}

/** The COPY text of rows `start` to `end` (exclusive). */
export function copyChunk(rows: readonly (readonly unknown[])[], start: number, end: number): string {
  const lines: string[] = [];
  for (let index = start; index < end; index++) {
    const row = rows[index] as readonly unknown[];
    let line = "";
    for (let column = 0; column < row.length; column++) line += (column === 0 ? "" : "\t") + copyText(row[column]);
    lines.push(line);
  }
  return `${lines.join("\n")}\n`;
}

/** The 1-based data line a COPY error names in its context (`COPY t, line 12, column …`). */
export function copyErrorLine(error: unknown): number | undefined {
  const where = (error as { where?: unknown } | null)?.where;
  const match = typeof where === "string" ? /\bCOPY [^,]+, line (\d+)/.exec(where) : null;
  return match ? Number(match[1]) : undefined;
}

/**
 * Inserts rows with `COPY … FROM STDIN` (text format) in the transaction core has begun.
 * A row the server refuses is a {@link BatchItemError} with its index when the server names
 * its line; any other failure is thrown as it is.
 */
export async function copyRows(client: PoolClient, target: BulkInsertTarget, rows: readonly (readonly unknown[])[]): Promise<number> {
  const columns = target.columns ? ` (${target.columns.join(", ")})` : "";
  const statement = `COPY ${target.table}${columns} FROM STDIN`;
  let total = 0;
  for (let start = 0; start < rows.length; start += ROWS_PER_COPY) {
    const end = Math.min(start + ROWS_PER_COPY, rows.length);
    const text = copyChunk(rows, start, end);
    const stream = client.query(copyFrom(statement));
    try {
      await pipeline(Readable.from([text]), stream);
    } catch (error) {
      const line = copyErrorLine(error);
      if (line !== undefined && line >= 1 && start + line - 1 < end) throw new BatchItemError(start + line - 1, error);
      throw error;
    }
    total += stream.rowCount ?? end - start;
  }
  return total;
}
