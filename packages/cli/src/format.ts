import { maskUrlPasswords } from "@sqlblocks/core";

/** An error as the one line the CLI prints: no stack, no line breaks, URL passwords masked. */
export function errorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return maskUrlPasswords(message.replace(/\s*\n\s*/g, " ").trim()) || "unknown error";
}

/** A fixed-width table with a header row; cells are single-line strings. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/** `1.2 s`, `340 ms`, or `-` when unknown. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || Number.isNaN(ms)) return "-";
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1_000)} s`;
}

/** An ISO time as local `YYYY-MM-DD HH:MM:SS`, or `-`. */
export function formatTime(iso: string | undefined): string {
  if (!iso) return "-";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** Pretty JSON for `--json` output. */
export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
