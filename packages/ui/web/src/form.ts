import { h } from "./dom.js";
import type { FieldSchema } from "./types.js";

/** `********`: what the server shows for a stored secret, and what keeps it when sent back. */
export const MASK = "********";

/** A rendered field: its element and how to read its value (`undefined` when left empty). */
export interface FieldControl {
  element: HTMLElement;
  read(): unknown;
}

/** A field's value could not be read (e.g. JSON that does not parse). */
export class FieldError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

interface Context {
  /** Editing a stored block: empty secret inputs keep the stored secret. */
  editing: boolean;
}

const label = (path: string) => path.split(".").pop() ?? path;
const pathId = (path: string) => `f-${path.replace(/[^A-Za-z0-9]+/g, "-")}`;

function variantLabel(variant: FieldSchema): string {
  if (variant.type === "boolean") return "On / off";
  const keys = Object.keys(variant.properties ?? {});
  if (keys.length === 1 && keys[0] === "url") return "URL";
  if (keys.includes("driver")) return "Components";
  return keys.length === 1 ? label(keys[0]!) : "Settings";
}

function matchesVariant(variant: FieldSchema, value: unknown): boolean {
  if (variant.type === "boolean") return typeof value === "boolean";
  if (typeof value !== "object" || value === null) return false;
  const required = variant.required ?? [];
  return required.every((key) => key in value) && Object.keys(value).every((key) => key in (variant.properties ?? {}));
}

function errorSlot(path: string): HTMLElement {
  return h("div", { class: "field-error", "data-error-for": path, role: "alert" });
}

function wrap(path: string, schema: FieldSchema, required: boolean, control: HTMLElement): HTMLElement {
  return h(
    "div",
    { class: "field", "data-field": path },
    h("label", { for: pathId(path) }, label(path), required ? h("span", { class: "req", title: "required" }, " *") : null),
    control,
    schema.description ? h("div", { class: "help" }, schema.description) : null,
    errorSlot(path),
  );
}

function inputField(schema: FieldSchema, path: string, value: unknown, required: boolean, ctx: Context): FieldControl {
  const secret = schema.writeOnly === true;
  const password = secret && schema.format === "password";
  if (schema.type === "boolean") {
    const select = h(
      "select",
      { id: pathId(path), name: path },
      h("option", { value: "" }, "(default)"),
      h("option", { value: "true", selected: value === true }, "yes"),
      h("option", { value: "false", selected: value === false }, "no"),
    );
    return { element: wrap(path, schema, required, select), read: () => (select.value === "" ? undefined : select.value === "true") };
  }
  const numeric = schema.type === "integer" || schema.type === "number";
  const stored = value !== undefined && value !== null;
  const input = h("input", {
    id: pathId(path),
    name: path,
    type: password ? "password" : numeric ? "number" : "text",
    autocomplete: password ? "new-password" : "off",
    spellcheck: "false",
    value: password ? "" : stored ? String(value) : "",
    placeholder: password && ctx.editing && stored ? "stored — leave empty to keep it" : schema.default !== undefined ? `default ${String(schema.default)}` : "",
    min: schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : undefined),
    max: schema.maximum !== undefined && schema.maximum < 1e12 ? schema.maximum : undefined,
    step: schema.type === "integer" ? 1 : undefined,
  });
  return {
    element: wrap(path, schema, required, input),
    read: () => {
      const text = input.value;
      if (text === "") return password && ctx.editing && stored ? MASK : undefined;
      if (!numeric) return text;
      const number = Number(text);
      if (!Number.isFinite(number)) throw new FieldError(path, "enter a number");
      return number;
    },
  };
}

function jsonField(schema: FieldSchema, path: string, value: unknown, required: boolean): FieldControl {
  const area = h("textarea", { id: pathId(path), name: path, rows: 3, spellcheck: "false", placeholder: "{ }" });
  area.value = value === undefined ? "" : JSON.stringify(value, null, 2);
  return {
    element: wrap(path, schema, required, area),
    read: () => {
      if (area.value.trim() === "") return undefined;
      try {
        return JSON.parse(area.value) as unknown;
      } catch {
        throw new FieldError(path, "enter a JSON object, e.g. {\"key\": \"value\"}");
      }
    },
  };
}

function objectField(schema: FieldSchema, path: string, value: unknown, ctx: Context, legend: boolean): FieldControl {
  const data = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  const required = new Set(schema.required ?? []);
  const children = Object.entries(schema.properties ?? {}).map(([key, child]) => ({
    key,
    control: renderField(child, path === "" ? key : `${path}.${key}`, data[key], required.has(key), ctx),
  }));
  const element = h(
    legend ? "fieldset" : "div",
    { class: "group", "data-field": path },
    legend ? h("legend", {}, label(path)) : null,
    legend && schema.description ? h("div", { class: "help" }, schema.description) : null,
    ...children.map((child) => child.control.element),
  );
  return {
    element,
    read: () => {
      const out: Record<string, unknown> = {};
      for (const child of children) {
        const childValue = child.control.read();
        if (childValue !== undefined) out[child.key] = childValue;
      }
      return Object.keys(out).length === 0 && path !== "" ? undefined : out;
    },
  };
}

function choiceField(schema: FieldSchema, path: string, value: unknown, required: boolean, ctx: Context): FieldControl {
  const variants = schema.anyOf ?? [];
  const found = variants.findIndex((variant) => matchesVariant(variant, value));
  const controls = variants.map((variant, index) =>
    variant.type === "object" || variant.properties
      ? objectField(variant, path, index === found ? value : undefined, ctx, false)
      : { element: h("div", { class: "help" }, "Enabled with default settings."), read: () => true },
  );
  let chosen = found >= 0 ? found : required ? 0 : -1;
  const panes = h("div", { class: "variant" });
  const show = () => panes.replaceChildren(...(chosen >= 0 ? [controls[chosen]!.element] : []));
  const options = [
    ...(required ? [] : [{ index: -1, text: "None" }]),
    ...variants.map((variant, index) => ({ index, text: variantLabel(variant) })),
  ];
  const radios = h(
    "div",
    { class: "choices", role: "radiogroup" },
    ...options.map((option) =>
      h(
        "label",
        { class: "choice" },
        h("input", {
          type: "radio",
          name: `${path}-variant`,
          value: String(option.index),
          "data-variant": option.text,
          checked: option.index === chosen,
          onchange: () => {
            chosen = option.index;
            show();
          },
        }),
        ` ${option.text}`,
      ),
    ),
  );
  show();
  const element = h(
    "fieldset",
    { class: "group", "data-field": path },
    h("legend", {}, label(path), required ? h("span", { class: "req" }, " *") : null),
    schema.description ? h("div", { class: "help" }, schema.description) : null,
    radios,
    panes,
    errorSlot(path),
  );
  return { element, read: () => (chosen >= 0 ? (controls[chosen]!.read() ?? (required ? {} : undefined)) : undefined) };
}

/** Renders the form control of one field from its JSON Schema. */
export function renderField(schema: FieldSchema, path: string, value: unknown, required: boolean, ctx: Context): FieldControl {
  if (schema.anyOf) return choiceField(schema, path, value, required, ctx);
  if (schema.type === "object" || schema.properties) {
    if (schema.properties) return objectField(schema, path, value, ctx, path !== "");
    return jsonField(schema, path, value, required);
  }
  if (schema.type === undefined) return jsonField(schema, path, value, required);
  return inputField(schema, path, value, required, ctx);
}

/** Shows validation messages next to their fields; returns the ones no field took. */
export function showErrors(form: HTMLElement, issues: readonly { path: string; message: string }[]): string[] {
  for (const slot of form.querySelectorAll<HTMLElement>(".field-error")) slot.textContent = "";
  const unplaced: string[] = [];
  for (const issue of issues) {
    let path = issue.path;
    let slot: HTMLElement | null = null;
    while (!slot) {
      slot = form.querySelector<HTMLElement>(`[data-error-for="${CSS.escape(path)}"]`);
      if (slot || !path.includes(".")) break;
      path = path.slice(0, path.lastIndexOf("."));
    }
    if (slot) slot.textContent = issue.message;
    else unplaced.push(issue.path ? `${issue.path}: ${issue.message}` : issue.message);
  }
  return unplaced;
}
