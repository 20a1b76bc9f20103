import { ApiError, api } from "./api.js";
import { h, mount } from "./dom.js";
import { badge, time } from "./format.js";
import type { Deployment, DeploymentsAnswer, Worker } from "./types.js";

function unavailable(root: HTMLElement, title: string, reason: string): void {
  mount(root, h("h1", {}, title), h("div", { class: "notice", id: "durable-unavailable" }, reason));
}

function concurrency(d: Deployment): string {
  return `${d.workerConcurrency ?? "–"} per worker${d.globalConcurrency ? `, ${d.globalConcurrency} in all` : ""}`;
}

function workerRow(worker: Worker): HTMLElement {
  return h(
    "tr",
    { "data-worker": worker.id, "data-live": String(worker.live) },
    h("td", {}, worker.id),
    h("td", {}, worker.hostname, h("span", { class: "muted" }, ` (pid ${worker.pid})`)),
    h("td", {}, ...worker.deployments.map((name) => h("span", { class: "tag" }, name))),
    h("td", {}, time(worker.heartbeatAt)),
    h(
      "td",
      { class: "worker-state" },
      worker.live
        ? h("span", { class: "live" }, "live")
        : h("span", { class: "not-live" }, worker.stoppedAt ? "stopped" : worker.takenOverBy ? `gone (taken over by ${worker.takenOverBy})` : "not live (no heartbeat)"),
    ),
  );
}

/** #/deployments: the deployments workers registered, the workers and their heartbeats. */
export async function deploymentList(root: HTMLElement): Promise<void> {
  const answer = await api<DeploymentsAnswer>("GET", "/deployments");
  if (!answer.available) return unavailable(root, "Deployments", answer.reason);
  mount(
    root,
    h("h1", {}, "Deployments"),
    answer.deployments.length === 0 ? h("p", { class: "muted", id: "no-deployments" }, "No deployments yet: start a worker with sqlblocks worker <module>.") : null,
    h(
      "table",
      { class: "list", id: "deployments" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", {}, "Name"),
          h("th", {}, "Flow"),
          h("th", {}, "Queue"),
          h("th", {}, "Concurrency"),
          h("th", {}, "Schedule"),
          h("th", {}, "Live workers"),
          h("th", {}, "Last run"),
          h("th", {}, ""),
        ),
      ),
      h(
        "tbody",
        {},
        ...answer.deployments.map((d) =>
          h(
            "tr",
            { "data-deployment": d.name },
            h("td", {}, h("strong", {}, d.name), d.description ? h("div", { class: "help" }, d.description) : null),
            h("td", {}, d.flow),
            h("td", {}, d.queue),
            h("td", {}, concurrency(d)),
            h("td", {}, d.cron ? h("code", {}, d.cron) : "–"),
            h("td", {}, d.workers.length ? d.workers.join(", ") : h("span", { class: "not-live" }, "none live")),
            h(
              "td",
              { class: "last-run" },
              d.lastRun ? h("a", { href: `#/runs/${encodeURIComponent(d.lastRun.id)}` }, badge(d.lastRun.state), " ", time(d.lastRun.createdAt)) : "–",
            ),
            h("td", {}, h("a", { class: "button secondary", href: `#/deployments/${encodeURIComponent(d.name)}/run`, "data-trigger": d.name }, "Trigger run")),
          ),
        ),
      ),
    ),
    h("h2", {}, "Workers"),
    h(
      "table",
      { class: "list", id: "workers" },
      h("thead", {}, h("tr", {}, h("th", {}, "Id"), h("th", {}, "Host"), h("th", {}, "Deployments"), h("th", {}, "Last heartbeat"), h("th", {}, "State"))),
      h("tbody", {}, ...answer.workers.map(workerRow)),
    ),
    answer.workers.length === 0 ? h("p", { class: "muted", id: "no-workers" }, "No worker has registered.") : null,
    h("p", { class: "help" }, `A worker is live while its heartbeat is younger than ${Math.round(answer.staleAfterMs / 1000)} s (the takeover timeout).`),
  );
}

/** A parameter's default as the form shows it: text as written, anything else as JSON. */
const asFormText = (value: unknown) => (typeof value === "string" && !/^\s*[[{"]/.test(value) && !isJsonScalar(value) ? value : JSON.stringify(value));

function isJsonScalar(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** #/deployments/:name/run: a run of a deployment with parameters over its defaults. */
export async function triggerForm(root: HTMLElement, name: string): Promise<void> {
  const answer = await api<DeploymentsAnswer>("GET", "/deployments");
  if (!answer.available) return unavailable(root, "Trigger a run", answer.reason);
  const deployment = answer.deployments.find((d) => d.name === name);
  if (!deployment) {
    mount(root, h("h1", {}, "Trigger a run"), h("p", { class: "error", id: "page-error" }, `No deployment named "${name}".`), h("a", { href: "#/deployments" }, "Back to deployments"));
    return;
  }
  const rows = h("div", { id: "param-rows" });
  const addRow = (key = "", value = "", isDefault = false) => {
    const index = rows.children.length;
    const row = h(
      "div",
      { class: "param-row", "data-row": index, "data-default-key": isDefault ? key : undefined, "data-default-value": isDefault ? value : undefined },
      h("input", { name: `parameters.${index}.key`, placeholder: "name", value: key, autocomplete: "off", "aria-label": "parameter name" }),
      h(
        "div",
        {},
        h("input", { name: `parameters.${index}.value`, placeholder: "value (JSON, else text)", value, autocomplete: "off", "aria-label": "parameter value" }),
        h("div", { class: "field-error", "data-error-for": `parameters.${index}.key`, role: "alert" }),
        h("div", { class: "field-error", "data-error-for": `parameters.${index}.value`, role: "alert" }),
      ),
      h("button", { type: "button", class: "secondary", onclick: () => row.remove() }, "Remove"),
    );
    // Editing a row clears its messages.
    row.addEventListener("input", () => {
      for (const slot of row.querySelectorAll("[data-error-for]")) slot.textContent = "";
    });
    rows.append(row);
  };
  for (const [key, value] of Object.entries(deployment.parameters)) addRow(key, asFormText(value), true);
  if (rows.children.length === 0) addRow();
  const formError = h("div", { class: "form-error", id: "trigger-error", role: "alert" });
  const form = h(
    "form",
    { id: "trigger-form" },
    h("p", { class: "help" }, "Each value is read as JSON when it parses (3, true, [\"a\"], {\"k\": 1}), else as the text written (2024-01-01), as sqlblocks run --param does. The defaults of the deployment are filled in."),
    rows,
    h("div", { class: "actions" }, h("button", { type: "button", class: "secondary", id: "add-param", onclick: () => addRow() }, "Add parameter"), h("button", { type: "submit", id: "trigger-run" }, "Trigger run")),
    formError,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void (async () => {
      for (const slot of form.querySelectorAll("[data-error-for]")) slot.textContent = "";
      formError.textContent = "";
      // Rows renumbered in page order, so that error paths name what the user sees.
      const parameters = [...rows.querySelectorAll<HTMLElement>(".param-row")].map((row, index) => {
        const [keyInput, valueInput] = row.querySelectorAll("input");
        keyInput!.name = `parameters.${index}.key`;
        valueInput!.name = `parameters.${index}.value`;
        const slots = row.querySelectorAll<HTMLElement>("[data-error-for]");
        slots[0]!.dataset.errorFor = `parameters.${index}.key`;
        slots[1]!.dataset.errorFor = `parameters.${index}.value`;
        // A default left as shown (it may be masked) is not sent: the deployment's own value applies.
        const keepDefault = row.dataset.defaultKey === keyInput!.value && row.dataset.defaultValue === valueInput!.value;
        return keepDefault ? { key: keyInput!.value, keepDefault: true } : { key: keyInput!.value, value: valueInput!.value };
      });
      try {
        const { runId } = await api<{ runId: string }>("POST", `/deployments/${encodeURIComponent(name)}/runs`, { parameters });
        location.hash = `#/runs/${encodeURIComponent(runId)}`;
      } catch (error) {
        const issues = error instanceof ApiError ? error.issues : [];
        for (const issue of issues) {
          const slot = form.querySelector(`[data-error-for="${CSS.escape(issue.path)}"]`);
          if (slot) slot.textContent = issue.message;
        }
        if (issues.length === 0) formError.textContent = (error as Error).message;
      }
    })();
  });
  mount(
    root,
    h("p", { class: "crumbs" }, h("a", { href: "#/deployments" }, "Deployments"), " / ", name),
    h("h1", {}, `Trigger a run of ${name}`),
    h("p", { class: "muted" }, `Flow ${deployment.flow} on queue ${deployment.queue}`),
    form,
  );
}
