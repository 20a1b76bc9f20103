import { h } from "./dom.js";

/** A local date and time, or a dash. */
export function time(iso: string | undefined): string {
  if (!iso) return "–";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { hour12: false });
}

/** A duration in ms as `850 ms`, `12.3 s`, `4 min 05 s`. */
export function duration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "–";
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${String(Math.round((ms % 60_000) / 1000)).padStart(2, "0")} s`;
}

/** The run states, in display order. */
export const STATES = ["COMPLETED", "RUNNING", "PENDING", "FAILED", "CRASHED", "CANCELLED"] as const;

/** A state badge. */
export function badge(state: string): HTMLElement {
  return h("span", { class: `badge st-${state}`, "data-state": state }, state);
}

/** True for states a run ends in. */
export function isFinal(state: string): boolean {
  return state === "COMPLETED" || state === "FAILED" || state === "CANCELLED" || state === "CRASHED";
}
