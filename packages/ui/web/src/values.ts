import { h } from "./dom.js";

interface TruncatedValue {
  $truncated: true;
  chars: number;
  preview: string;
}

function isTruncated(value: unknown): value is TruncatedValue {
  return typeof value === "object" && value !== null && (value as { $truncated?: unknown }).$truncated === true;
}

/**
 * A recorded parameter set or result (JSON the server redacted), as indented JSON text; a
 * value the server cut shows a visible "truncated" marker and its first characters. Always
 * text nodes: a `<script>` inside a value stays text.
 */
export function recordedValue(value: unknown, id: string, none: string): HTMLElement {
  if (value === undefined) return h("span", { class: "muted", id }, none);
  if (isTruncated(value)) {
    return h(
      "div",
      { id, "data-truncated": "true" },
      h("span", { class: "truncated" }, `truncated: ${value.chars.toLocaleString("en-US")} characters, first ones shown`),
      h("pre", { class: "value" }, `${value.preview}…`),
    );
  }
  return h("pre", { class: "value", id }, JSON.stringify(value, null, 2));
}
