import { api, queryString } from "./api.js";
import { h, mount, svg } from "./dom.js";
import { badge, duration, STATES, time } from "./format.js";
import type { HistorySeries, RunPage } from "./types.js";

const PAGE_SIZE = 50;

/** The filters of the run list, kept in the page address (`#/runs?state=FAILED&tag=nightly`). */
interface RunFilters {
  state: string;
  flow: string;
  tag: string;
  from: string;
  to: string;
  offset: number;
}

function readFilters(params: URLSearchParams): RunFilters {
  return {
    state: params.get("state") ?? "",
    flow: params.get("flow") ?? "",
    tag: params.get("tag") ?? "",
    from: params.get("from") ?? "",
    to: params.get("to") ?? "",
    offset: Math.max(0, Number(params.get("offset") ?? 0) || 0),
  };
}

function filterHash(filters: RunFilters): string {
  return `#/runs${queryString({ ...filters, offset: filters.offset || undefined })}`;
}

/** `datetime-local` values are local times; the API takes ISO times. */
const isoFrom = (local: string) => (local ? new Date(local).toISOString() : undefined);

const STEP_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

/** The buckets from the first to the last, the empty ones included, so the x axis is time (at most 500). */
function withEmptyBuckets(series: HistorySeries): HistorySeries["buckets"] {
  const byStart = new Map(series.buckets.map((bucket) => [Date.parse(bucket.start), bucket]));
  const first = Date.parse(series.buckets[0]!.start);
  const last = Date.parse(series.buckets.at(-1)!.start);
  const step = STEP_MS[series.unit];
  if ((last - first) / step > 500) return series.buckets;
  const out: HistorySeries["buckets"] = [];
  for (let at = first; at <= last; at += step) out.push(byStart.get(at) ?? { start: new Date(at).toISOString(), counts: {} });
  return out;
}

function chart(series: HistorySeries): Element {
  const width = 900;
  const height = 140;
  if (series.buckets.length === 0) return h("p", { class: "muted" }, "No runs to chart.");
  const buckets = withEmptyBuckets(series);
  const totals = buckets.map((b) => Object.values(b.counts).reduce((sum, n) => sum + n, 0));
  const max = Math.max(1, ...totals);
  const slot = width / buckets.length;
  const bar = Math.min(48, Math.max(1, slot * 0.8));
  const bars = buckets.flatMap((bucket, index) => {
    let y = height;
    return STATES.filter((state) => bucket.counts[state]).map((state) => {
      const count = bucket.counts[state]!;
      const barHeight = (count / max) * (height - 4);
      y -= barHeight;
      return svg(
        "rect",
        { x: (index * slot).toFixed(1), y: y.toFixed(1), width: bar.toFixed(1), height: barHeight.toFixed(1), class: `st-${state}` },
        svg("title", {}, `${time(bucket.start)}: ${count} ${state}`),
      );
    });
  });
  return h(
    "figure",
    { class: "chart", id: "run-chart" },
    svg("svg", { viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: "none", role: "img", "aria-label": "runs by state over time" }, ...bars),
    h(
      "figcaption",
      {},
      `Runs per ${series.unit} · ${time(buckets[0]!.start)} – ${time(buckets.at(-1)!.start)} · peak ${max} `,
      ...STATES.map((state) => h("span", { class: `legend st-${state}` }, state)),
    ),
  );
}

/** #/runs: the run-history chart, filters and a server-side paginated run list. */
export async function runList(root: HTMLElement, params: URLSearchParams): Promise<void> {
  const filters = readFilters(params);
  const apiFilter = { state: filters.state, flow: filters.flow, tag: filters.tag, from: isoFrom(filters.from), to: isoFrom(filters.to) };
  const [page, series, flows] = await Promise.all([
    api<RunPage>("GET", `/runs${queryString({ ...apiFilter, limit: PAGE_SIZE, offset: filters.offset })}`),
    api<HistorySeries>("GET", `/runs/history${queryString(apiFilter)}`),
    api<string[]>("GET", "/flows"),
  ]);
  const stateSelect = h(
    "select",
    { name: "state", id: "filter-state" },
    h("option", { value: "" }, "any state"),
    ...STATES.map((state) => h("option", { value: state, selected: state === filters.state }, state)),
  );
  const flowSelect = h(
    "select",
    { name: "flow", id: "filter-flow" },
    h("option", { value: "" }, "any flow"),
    ...flows.map((flow) => h("option", { value: flow, selected: flow === filters.flow }, flow)),
  );
  const tagInput = h("input", { name: "tag", id: "filter-tag", placeholder: "tag", value: filters.tag, autocomplete: "off" });
  const fromInput = h("input", { name: "from", id: "filter-from", type: "datetime-local", value: filters.from });
  const toInput = h("input", { name: "to", id: "filter-to", type: "datetime-local", value: filters.to });
  const form = h(
    "form",
    { class: "filters", id: "run-filters" },
    stateSelect,
    flowSelect,
    tagInput,
    h("label", {}, "from ", fromInput),
    h("label", {}, "to ", toInput),
    h("button", { type: "submit", id: "apply-filters" }, "Filter"),
    h("a", { class: "button secondary", href: "#/runs" }, "Clear"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = filterHash({ state: stateSelect.value, flow: flowSelect.value, tag: tagInput.value.trim(), from: fromInput.value, to: toInput.value, offset: 0 });
  });
  const first = page.total === 0 ? 0 : page.offset + 1;
  const last = page.offset + page.runs.length;
  mount(
    root,
    h("h1", {}, "Runs"),
    chart(series),
    form,
    h(
      "table",
      // The filters this list answers, so a reader (or a test) can tell it from the list it replaced.
      { class: "list", id: "runs", "data-filters": filterHash(filters) },
      h(
        "thead",
        {},
        h("tr", {}, h("th", {}, "State"), h("th", {}, "Flow"), h("th", {}, "Started"), h("th", {}, "Duration"), h("th", {}, "Tasks"), h("th", {}, "Tags")),
      ),
      h(
        "tbody",
        {},
        ...page.runs.map((run) =>
          h(
            "tr",
            { "data-run": run.id, "data-state": run.state },
            h("td", {}, badge(run.state)),
            h("td", {}, h("a", { href: `#/runs/${encodeURIComponent(run.id)}` }, run.name)),
            h("td", {}, time(run.startedAt ?? run.createdAt)),
            h("td", {}, duration(run.durationMs)),
            h("td", { class: "num" }, run.taskCount),
            h("td", {}, ...run.tags.map((tag) => h("span", { class: "tag" }, tag))),
          ),
        ),
      ),
    ),
    page.total === 0 ? h("p", { class: "muted", id: "no-runs" }, "No runs match.") : null,
    h(
      "div",
      { class: "pager" },
      h("span", { id: "run-count" }, `${first}–${last} of ${page.total}`),
      page.offset > 0 ? h("a", { class: "button secondary", href: filterHash({ ...filters, offset: Math.max(0, page.offset - PAGE_SIZE) }) }, "Previous") : null,
      last < page.total ? h("a", { class: "button secondary", id: "next-page", href: filterHash({ ...filters, offset: page.offset + PAGE_SIZE }) }, "Next") : null,
    ),
  );
}
