import { ApiError, api } from "./api.js";
import { h, mount } from "./dom.js";
import { FieldError, renderField, showErrors } from "./form.js";
import { time } from "./format.js";
import type { BlockDetail, BlockInfo, BlockType, FieldSchema } from "./types.js";

const enc = encodeURIComponent;
const blockHref = (b: { type: string; name: string }) => `#/blocks/${enc(b.type)}/${enc(b.name)}`;

let typesCache: Promise<BlockType[]> | undefined;
const types = () => {
  typesCache ??= api<BlockType[]>("GET", "/types");
  return typesCache;
};

/** #/blocks: every saved block with its type and last update. */
export async function blockList(root: HTMLElement): Promise<void> {
  const blocks = await api<BlockInfo[]>("GET", "/blocks");
  mount(
    root,
    h("div", { class: "title-row" }, h("h1", {}, "Blocks"), h("a", { class: "button", href: "#/blocks/new", id: "new-block" }, "New block")),
    blocks.length === 0
      ? h("p", { class: "muted" }, "No blocks yet. Create one with New block.")
      : h(
          "table",
          { class: "list", id: "blocks" },
          h("thead", {}, h("tr", {}, h("th", {}, "Name"), h("th", {}, "Type"), h("th", {}, "Updated"))),
          h(
            "tbody",
            {},
            ...blocks.map((b) =>
              h(
                "tr",
                { "data-block": b.name },
                h("td", {}, h("a", { href: blockHref(b) }, b.name)),
                h("td", {}, b.typeName),
                h("td", {}, time(b.updatedAt)),
              ),
            ),
          ),
        ),
  );
}

function describeFields(schema: FieldSchema, prefix = ""): HTMLElement[] {
  const rows: HTMLElement[] = [];
  const required = new Set(schema.required ?? []);
  for (const [key, field] of Object.entries(schema.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    const kind = field.anyOf ? field.anyOf.map((v) => v.type ?? "any").join(" | ") : (field.type ?? "any");
    rows.push(
      h(
        "tr",
        {},
        h("td", {}, h("code", {}, path), required.has(key) ? " *" : ""),
        h("td", {}, field.writeOnly ? `${kind} (secret)` : kind),
        h("td", {}, field.description ?? ""),
      ),
    );
    for (const variant of field.anyOf ?? [field]) if (variant.properties) rows.push(...describeFields(variant, path));
  }
  return rows;
}

/** #/types: the block type catalog with each field's description. */
export async function typeCatalog(root: HTMLElement): Promise<void> {
  const list = await types();
  mount(
    root,
    h("h1", {}, "Block types"),
    ...list.map((type) =>
      h(
        "section",
        { class: "card", "data-type": type.slug },
        h("h2", {}, type.name, " ", h("code", {}, type.slug)),
        h("p", {}, type.description),
        type.documentationUrl ? h("p", { class: "muted" }, "Documentation: ", type.documentationUrl) : null,
        h(
          "table",
          { class: "list fields" },
          h("thead", {}, h("tr", {}, h("th", {}, "Field"), h("th", {}, "Type"), h("th", {}, "Description"))),
          h("tbody", {}, ...describeFields(type.schema)),
        ),
        h("a", { class: "button", href: `#/blocks/new?type=${enc(type.slug)}` }, `New ${type.name}`),
      ),
    ),
  );
}

function dataRows(data: unknown, prefix = ""): HTMLElement[] {
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return [h("tr", {}, h("th", {}, prefix), h("td", { "data-path": prefix }, JSON.stringify(data)))];
  }
  return Object.entries(data).flatMap(([key, value]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? dataRows(value, path)
      : [h("tr", {}, h("th", {}, path), h("td", { "data-path": path }, typeof value === "string" ? value : JSON.stringify(value)))];
  });
}

/** #/blocks/:slug/:name: the block, secrets masked, with Test connection, Edit and Delete. */
export async function blockDetail(root: HTMLElement, slug: string, name: string): Promise<void> {
  const block = await api<BlockDetail>("GET", `/blocks/${enc(slug)}/${enc(name)}`);
  const result = h("div", { id: "test-result", class: "test-result", role: "status" });
  const test = async () => {
    result.className = "test-result";
    result.textContent = "Testing…";
    try {
      const answer = await api<{ ok: boolean; latencyMs?: number; connectMs?: number; error?: string }>(
        "POST",
        `/blocks/${enc(slug)}/${enc(name)}/test`,
      );
      result.className = `test-result ${answer.ok ? "ok" : "bad"}`;
      result.textContent = answer.ok
        ? `Connected: ${answer.latencyMs!.toFixed(1)} ms (first query with connect ${answer.connectMs!.toFixed(1)} ms)`
        : `Failed: ${answer.error}`;
    } catch (error) {
      result.className = "test-result bad";
      result.textContent = `Failed: ${(error as Error).message}`;
    }
  };
  const remove = async () => {
    if (!window.confirm(`Delete block ${slug}/${name}? This cannot be undone.`)) return;
    await api("DELETE", `/blocks/${enc(slug)}/${enc(name)}`);
    location.hash = "#/blocks";
  };
  mount(
    root,
    h("p", { class: "crumbs" }, h("a", { href: "#/blocks" }, "Blocks"), " / ", name),
    h("h1", { id: "block-name" }, name),
    h(
      "table",
      { class: "props" },
      h("tr", {}, h("th", {}, "Type"), h("td", {}, block.typeName, " ", h("code", {}, block.type))),
      block.url ? h("tr", {}, h("th", {}, "URL"), h("td", { id: "block-url" }, block.url)) : null,
      h("tr", {}, h("th", {}, "Created"), h("td", {}, time(block.createdAt))),
      h("tr", {}, h("th", {}, "Updated"), h("td", {}, time(block.updatedAt))),
    ),
    h("h2", {}, "Data"),
    h("table", { class: "props", id: "block-data" }, ...dataRows(block.data)),
    h(
      "div",
      { class: "actions" },
      h("button", { id: "test-block", type: "button", onclick: () => void test() }, "Test connection"),
      h("a", { class: "button", id: "edit-block", href: `${blockHref({ type: slug, name })}/edit` }, "Edit"),
      h("button", { id: "delete-block", class: "danger", type: "button", onclick: () => void remove() }, "Delete"),
    ),
    result,
  );
}

/** #/blocks/new and #/blocks/:slug/:name/edit: a form generated from the type's field schema. */
export async function blockForm(root: HTMLElement, slug: string, name?: string): Promise<void> {
  const all = await types();
  const type = all.find((t) => t.slug === slug) ?? all[0];
  if (!type) throw new Error("no block types are registered");
  const editing = name !== undefined;
  const existing = editing ? await api<BlockDetail>("GET", `/blocks/${enc(type.slug)}/${enc(name)}`) : undefined;
  const fields = renderField(type.schema, "", existing?.data ?? {}, true, { editing });
  const nameInput = h("input", { id: "block-name-input", name: "name", required: true, autocomplete: "off", spellcheck: "false", value: name ?? "" });
  const formError = h("div", { class: "form-error", id: "form-error", role: "alert" });
  const form = h(
    "form",
    { id: "block-form", novalidate: true },
    editing
      ? null
      : h(
          "div",
          { class: "field" },
          h("label", { for: "block-type" }, "Type"),
          h(
            "select",
            { id: "block-type", onchange: (e: Event) => (location.hash = `#/blocks/new?type=${enc((e.target as HTMLSelectElement).value)}`) },
            ...all.map((t) => h("option", { value: t.slug, selected: t.slug === type.slug }, t.name)),
          ),
          h("div", { class: "help" }, type.description),
        ),
    editing
      ? null
      : h(
          "div",
          { class: "field", "data-field": "name" },
          h("label", { for: "block-name-input" }, "Name", h("span", { class: "req" }, " *")),
          nameInput,
          h("div", { class: "help" }, "Lowercase letters, digits, - and _, starting with a letter or digit."),
          h("div", { class: "field-error", "data-error-for": "name", role: "alert" }),
        ),
    fields.element,
    formError,
    h(
      "div",
      { class: "actions" },
      h("button", { type: "submit", id: "save-block" }, editing ? "Save changes" : "Create block"),
      h("a", { class: "button secondary", href: editing ? blockHref({ type: type.slug, name }) : "#/blocks" }, "Cancel"),
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void (async () => {
      formError.textContent = "";
      let data: unknown;
      try {
        data = fields.read();
      } catch (error) {
        if (error instanceof FieldError) {
          showErrors(form, [{ path: error.path, message: error.message }]);
          return;
        }
        throw error;
      }
      const blockName = editing ? name : nameInput.value.trim();
      if (!editing && blockName === "") {
        showErrors(form, [{ path: "name", message: "enter a name" }]);
        return;
      }
      try {
        if (editing) await api("PUT", `/blocks/${enc(type.slug)}/${enc(blockName!)}`, { data });
        else await api("POST", "/blocks", { type: type.slug, name: blockName, data });
        location.hash = blockHref({ type: type.slug, name: blockName! });
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        const unplaced = showErrors(form, error.issues);
        if (error.code === "SQLBLOCKS_INVALID_BLOCK_NAME") showErrors(form, [{ path: "name", message: error.message }]);
        else formError.textContent = error.issues.length > 0 ? unplaced.join("; ") || "Fix the fields marked above." : error.message;
      }
    })();
  });
  mount(
    root,
    h("p", { class: "crumbs" }, h("a", { href: "#/blocks" }, "Blocks"), " / ", editing ? `${name} / edit` : "new"),
    h("h1", {}, editing ? `Edit ${name}` : `New ${type.name}`),
    form,
  );
}
