import { api, queryString } from "./api.js";
import { append, h, mount } from "./dom.js";
import { badge, duration, isFinal, time } from "./format.js";
import type { DurableStatus, LogRecord, RunDetailWithValues as RunDetail, TaskRun } from "./types.js";
import { recordedValue } from "./values.js";

const LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"];
const POLL_MS = 1000;
/** The most log records one API answer holds (RunQuery's default page). */
const LOG_PAGE = 1000;
/** How long the page follows a run after Cancel or Resume. */
const FOLLOW_AFTER_ACTION_MS = 30_000;

function timeline(detail: RunDetail, now: number): HTMLElement {
  const { run, taskRuns } = detail;
  const start = Date.parse(run.startedAt ?? run.createdAt);
  const end = Math.max(run.endedAt ? Date.parse(run.endedAt) : now, ...taskRuns.map((t) => (t.endedAt ? Date.parse(t.endedAt) : now)));
  const span = Math.max(1, end - start);
  const pct = (ms: number) => `${Math.min(100, Math.max(0, (ms / span) * 100)).toFixed(2)}%`;
  const row = (task: TaskRun) => {
    const from = Date.parse(task.startedAt ?? task.createdAt) - start;
    const to = (task.endedAt ? Date.parse(task.endedAt) : now) - start;
    const bar = h(
      "div",
      { class: `bar st-${task.state}`, title: `${task.name}: ${task.state}, ${duration(to - from)}${task.attempts > 1 ? `, ${task.attempts} attempts` : ""}` },
      task.attempts > 1 ? h("span", { class: "retries" }, `${task.attempts} attempts`) : null,
    );
    bar.style.left = pct(from);
    bar.style.width = `max(2px, ${pct(to - from)})`;
    return h(
      "div",
      { class: "lane", "data-task": task.name, "data-task-state": task.state, "data-attempts": task.attempts },
      h("div", { class: "lane-name" }, task.name, " ", badge(task.state)),
      h("div", { class: "lane-track" }, bar),
      h("div", { class: "lane-time" }, duration(to - from)),
    );
  };
  return h(
    "div",
    { class: "timeline", id: "timeline" },
    taskRuns.length === 0 ? h("p", { class: "muted" }, "No task runs.") : null,
    ...taskRuns.map(row),
    h("div", { class: "axis" }, h("span", {}, "0"), h("span", {}, duration(span))),
  );
}

function taskCounts(taskRuns: TaskRun[]): HTMLElement {
  const counts = new Map<string, number>();
  for (const task of taskRuns) counts.set(task.state, (counts.get(task.state) ?? 0) + 1);
  return h("p", { id: "task-counts" }, ...[...counts].map(([state, n]) => h("span", { class: "count" }, badge(state), ` ${n}`)));
}

function header(detail: RunDetail, now: number): HTMLElement {
  const run = detail.run;
  const ms = run.startedAt ? (run.endedAt ? Date.parse(run.endedAt) : now) - Date.parse(run.startedAt) : undefined;
  return h(
    "div",
    {},
    h("h1", {}, run.name, " ", h("span", { id: "run-state" }, badge(run.state))),
    h(
      "table",
      { class: "props" },
      h("tr", {}, h("th", {}, "Run id"), h("td", {}, h("code", {}, run.id))),
      h("tr", {}, h("th", {}, "Started"), h("td", {}, time(run.startedAt ?? run.createdAt))),
      h("tr", {}, h("th", {}, "Ended"), h("td", {}, time(run.endedAt))),
      h("tr", {}, h("th", {}, "Duration"), h("td", {}, duration(ms))),
      h("tr", {}, h("th", {}, "Attempts"), h("td", {}, run.attempts)),
      h("tr", {}, h("th", {}, "Tags"), h("td", {}, ...run.tags.map((tag) => h("span", { class: "tag" }, tag)))),
      h("tr", {}, h("th", {}, "Parameters"), h("td", {}, recordedValue(detail.parameters, "run-parameters", "none recorded"))),
      h(
        "tr",
        {},
        h("th", {}, "Result"),
        h(
          "td",
          { id: "run-result" },
          run.error
            ? h("pre", { class: "error", id: "run-error" }, run.error)
            : run.state === "COMPLETED"
              ? recordedValue(detail.result, "run-result-value", "completed, no value returned")
              : isFinal(run.state)
                ? `${run.state.toLowerCase()}`
                : "running…",
        ),
      ),
    ),
  );
}

/**
 * Cancel and Resume for a durable run (enqueued for a deployment); for an in-process run, a
 * sentence saying they do not apply.
 */
function durableControls(id: string, onChange: () => void): { element: HTMLElement; refresh(): void } {
  const box = h("div", { id: "durable", class: "durable-actions" }, h("span", { class: "muted" }, "Checking whether this run is durable…"));
  const message = h("span", { id: "durable-message", class: "form-error", role: "alert" });
  const render = async () => {
    const status = await api<DurableStatus>("GET", `/runs/${encodeURIComponent(id)}/durable`);
    if (!status.durable) {
      box.replaceChildren(h("span", { class: "muted", id: "durable-none" }, status.reason));
      return;
    }
    const act = (action: "cancel" | "resume") => async () => {
      message.textContent = "";
      try {
        await api("POST", `/runs/${encodeURIComponent(id)}/${action}`, {});
        onChange();
        await render();
        // DBOS settles a cancel or resume within moments: show where it went.
        setTimeout(refresh, 1500);
      } catch (error) {
        message.textContent = (error as Error).message;
      }
    };
    box.replaceChildren();
    append(box, [
      h("span", { id: "durable-status" }, `Durable run${status.queue ? ` on queue ${status.queue}` : ""}: ${status.status}${status.workerId ? ` (worker ${status.workerId})` : ""}`),
      status.canCancel ? h("button", { class: "danger", id: "cancel-run", onclick: act("cancel") }, "Cancel run") : null,
      status.canResume ? h("button", { class: "secondary", id: "resume-run", onclick: act("resume") }, "Resume run") : null,
      message,
    ]);
  };
  const refresh = () => void render().catch((error: Error) => box.replaceChildren(h("span", { class: "error" }, error.message)));
  refresh();
  return { element: box, refresh };
}

/** #/runs/:id: the run, its task timeline, statements and logs; live while the run is active. */
export async function runPage(root: HTMLElement, id: string, isCurrent: () => boolean): Promise<void> {
  const path = `/runs/${encodeURIComponent(id)}`;
  const opened = await api<RunDetail & { logs: LogRecord[] }>("GET", `${path}?include=logs`);
  let detail: RunDetail = opened;
  const records: LogRecord[] = [];
  let lastId = 0;
  const level = h(
    "select",
    { id: "log-level" },
    ...LEVELS.map((name) => h("option", { value: name, selected: name === "DEBUG" }, `${name} and above`)),
  );
  const taskFilter = h("select", { id: "log-task" }, h("option", { value: "" }, "all tasks"));
  const syncTaskOptions = () => {
    const known = new Set([...taskFilter.options].map((option) => option.value));
    for (const task of detail.taskRuns) {
      if (!known.has(task.id)) taskFilter.append(h("option", { value: task.id }, task.name));
    }
  };
  const headerBox = h("div", {});
  const timelineBox = h("div", {});
  const countsBox = h("div", {});
  const statements = h("tbody", {});
  const logs = h("div", { class: "logs", id: "logs", role: "log", "aria-live": "polite" });
  const taskName = (taskId: string | undefined) => detail.taskRuns.find((t) => t.id === taskId)?.name ?? "flow";

  const renderLogs = () => {
    const min = LEVELS.indexOf(level.value);
    const onlyTask = taskFilter.value;
    logs.replaceChildren(
      ...records
        .filter((r) => r.kind === "log" && LEVELS.indexOf(r.level) >= min && (!onlyTask || r.taskRunId === onlyTask))
        .map((r) =>
          h(
            "div",
            { class: `line lv-${r.level}`, "data-level": r.level },
            h("span", { class: "at" }, time(r.at)),
            h("span", { class: "lv" }, r.level),
            h("span", { class: "who" }, taskName(r.taskRunId)),
            h("span", { class: "msg" }, r.message),
          ),
        ),
    );
  };
  const renderStatements = () => {
    statements.replaceChildren(
      ...records
        .filter((r) => r.kind === "statement")
        .map((r) =>
          h(
            "tr",
            { class: "statement" },
            h("td", {}, taskName(r.taskRunId)),
            h("td", {}, h("code", {}, r.message)),
            h("td", { class: "num" }, duration(r.durationMs)),
            h("td", { class: "num" }, r.rowCount ?? "–"),
          ),
        ),
    );
  };
  const renderRun = () => {
    const now = Date.now();
    headerBox.replaceChildren(header(detail, now));
    countsBox.replaceChildren(taskCounts(detail.taskRuns));
    timelineBox.replaceChildren(timeline(detail, now));
    syncTaskOptions();
  };
  const addLogs = (fresh: LogRecord[]) => {
    if (fresh.length === 0) return;
    records.push(...fresh);
    lastId = fresh.at(-1)!.id;
    renderLogs();
    renderStatements();
  };
  /** Fetches the records after the last one seen, page after page (the API gives at most 1000 at once). */
  const fetchLogs = async () => {
    let fresh: LogRecord[];
    do {
      fresh = await api<LogRecord[]>("GET", `${path}/logs${queryString({ after: lastId || undefined })}`);
      addLogs(fresh);
    } while (fresh.length >= LOG_PAGE);
  };
  level.addEventListener("change", renderLogs);
  taskFilter.addEventListener("change", renderLogs);
  addLogs(opened.logs);
  if (opened.logs.length >= LOG_PAGE) await fetchLogs();
  renderRun();
  renderLogs();
  /** Ends the current wait of the live loop early (after Cancel or Resume). */
  let nudge: (() => void) | undefined;
  /** After Cancel or Resume, follow the run a while even if it looks final (a resumed run is CANCELLED until a worker takes it). */
  let followUntil = 0;
  let polling = false;
  const poll = async () => {
    if (polling) return;
    polling = true;
    try {
      while ((!isFinal(detail.run.state) || Date.now() < followUntil) && isCurrent()) {
        await new Promise<void>((resolve) => {
          nudge = resolve;
          setTimeout(resolve, POLL_MS);
        });
        if (!isCurrent()) return;
        const before = detail.run.state;
        detail = await api<RunDetail>("GET", path);
        await fetchLogs();
        renderRun();
        // The durable status (and which of Cancel / Resume apply) follows the run's state.
        if (detail.run.state !== before) durable.refresh();
      }
      if (isCurrent()) await fetchLogs();
    } finally {
      polling = false;
    }
  };
  const onDurableChange = () => {
    followUntil = Date.now() + FOLLOW_AFTER_ACTION_MS;
    if (polling) nudge?.();
    else void poll();
  };
  const durable = durableControls(detail.run.id, onDurableChange);
  mount(
    root,
    h("p", { class: "crumbs" }, h("a", { href: "#/runs" }, "Runs"), " / ", detail.run.id),
    headerBox,
    durable.element,
    h("h2", {}, "Tasks"),
    countsBox,
    timelineBox,
    h("h2", {}, "Statements"),
    h(
      "table",
      { class: "list", id: "statements" },
      h("thead", {}, h("tr", {}, h("th", {}, "Task"), h("th", {}, "SQL"), h("th", {}, "Duration"), h("th", {}, "Rows"))),
      statements,
    ),
    h("div", { class: "title-row" }, h("h2", {}, "Logs"), h("div", { class: "log-filters" }, h("label", {}, "Task ", taskFilter), h("label", {}, "Level ", level))),
    logs,
  );
  // Live: while the run is active, poll for new log lines and state changes.
  await poll();
}
