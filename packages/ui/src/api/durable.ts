import { type RunQuery, recordValue } from "@sqlblocks/flow";
import { Hono } from "hono";
import type { DurableAccess, DurableReady } from "../durable.js";
import { InvalidRunParametersError, oneLine, UiRequestError } from "../errors.js";
import { readJson } from "./body.js";

/**
 * Reads the form's `[{ key, value }]` rows the way `sqlblocks run --param key=value` does: a
 * value that parses as JSON is that value (`3`, `true`, `["a"]`), anything else is the text
 * as written (`2024-01-01`). A row `{ key, keepDefault: true }` names a deployment default left
 * as it is (the deployment's own value applies). Refuses, naming the row, an empty key with a
 * value, a key given twice, and a value that starts like JSON (`{`, `[`, `"`) but does not parse.
 *
 * @throws {InvalidRunParametersError} listing every row in error
 */
export function readRunParameters(rows: unknown): Record<string, unknown> {
  if (rows === undefined || rows === null) return {};
  if (!Array.isArray(rows)) throw new UiRequestError(400, "SQLBLOCKS_UI_BAD_REQUEST", 'parameters must be a list of { "key": …, "value": … } rows');
  const parameters: Record<string, unknown> = {};
  const issues: { path: string; message: string }[] = [];
  const seen = new Set<string>();
  rows.forEach((row: unknown, index) => {
    const { key: rawKey, value: rawValue, keepDefault } = (typeof row === "object" && row !== null ? row : {}) as {
      key?: unknown;
      value?: unknown;
      keepDefault?: unknown;
    };
    if (typeof rawKey !== "string" || typeof (rawValue ?? "") !== "string") {
      issues.push({ path: `parameters.${index}.key`, message: `row ${index + 1}: key and value must be text` });
      return;
    }
    const key = rawKey.trim();
    const raw = String(rawValue ?? "");
    if (key === "") {
      if (raw !== "") issues.push({ path: `parameters.${index}.key`, message: `row ${index + 1}: a value needs a name` });
      return;
    }
    if (Object.hasOwn(parameters, key) || seen.has(key)) {
      issues.push({ path: `parameters.${index}.key`, message: `${key} is given twice` });
      return;
    }
    seen.add(key);
    // A default the form showed unchanged (perhaps masked): the deployment's own value applies.
    if (keepDefault === true) return;
    try {
      parameters[key] = JSON.parse(raw) as unknown;
    } catch {
      if (/^\s*[[{"]/.test(raw)) {
        issues.push({ path: `parameters.${index}.value`, message: `${key}: ${JSON.stringify(raw.slice(0, 80))} looks like JSON but does not parse` });
        return;
      }
      parameters[key] = raw;
    }
  });
  if (issues.length > 0) throw new InvalidRunParametersError(issues);
  return parameters;
}

/** DBOS statuses from which a run can still be cancelled, and those it can be resumed from. */
const CANCELLABLE = new Set(["ENQUEUED", "PENDING"]);
const RESUMABLE = new Set(["CANCELLED", "ENQUEUED", "PENDING", "MAX_RECOVERY_ATTEMPTS_EXCEEDED"]);

/** Heartbeat age (ms) beyond which a worker counts as not live, from the cluster's takeover setting. */
function isLive(worker: { heartbeatAt: string; stoppedAt?: string | undefined; takenOverBy?: string | undefined }, staleAfterMs: number): boolean {
  return !worker.stoppedAt && !worker.takenOverBy && Date.now() - Date.parse(worker.heartbeatAt) < staleAfterMs;
}

/**
 * The durable-run routes of the JSON API (see the package README): deployments with their
 * workers, trigger a run, and a run's durable status, cancel and resume. Every answer says
 * `available: false` with a reason where durable runs are not set up, instead of failing.
 */
export function durableRoutes(access: DurableAccess, runs: RunQuery): Hono {
  const api = new Hono();

  const require = async (): Promise<DurableReady> => {
    const state = await access.get();
    if (!state.available) throw new UiRequestError(409, "SQLBLOCKS_UI_DURABLE_UNAVAILABLE", state.reason);
    return state;
  };

  api.get("/deployments", async (c) => {
    const state = await access.get();
    if (!state.available) return c.json({ available: false, reason: state.reason });
    const [deployments, workers] = await Promise.all([state.client.listDeployments(), state.client.listWorkers()]);
    // Heartbeats older than the takeover timeout mean the worker is gone (live ones beat far more often).
    const staleAfterMs = state.config.takeoverAfterMs;
    const lastRuns = await Promise.all(deployments.map((d) => runs.listRuns({ tag: `deployment:${d.name}`, limit: 1 })));
    return c.json({
      available: true,
      deployments: deployments.map((d, index) => {
        const last = lastRuns[index]!.runs[0];
        return {
          ...d,
          // Defaults are declared in code, but shown like every recorded value: redacted.
          parameters: JSON.parse(recordValue(d.parameters) ?? "{}") as unknown,
          workers: workers.filter((w) => w.deployments.includes(d.name) && isLive(w, staleAfterMs)).map((w) => w.id),
          lastRun: last ? { id: last.id, state: last.state, createdAt: last.createdAt, endedAt: last.endedAt } : undefined,
        };
      }),
      workers: workers.map((w) => ({ ...w, live: isLive(w, staleAfterMs) })),
      staleAfterMs,
    });
  });

  api.post("/deployments/:name/runs", async (c) => {
    const body = await readJson(c.req.raw);
    // Read the parameters first: a bad row enqueues nothing.
    const parameters = readRunParameters(body.parameters);
    const state = await require();
    const runId = await state.client.enqueue(c.req.param("name"), parameters);
    return c.json({ runId }, 201);
  });

  api.get("/runs/:id/durable", async (c) => {
    const state = await access.get();
    if (!state.available) {
      return c.json({ durable: false, reason: `Cancel and Resume apply only to durable runs (enqueued for a deployment), which are not available here: ${state.reason}` });
    }
    const status = await state.client.status(c.req.param("id"));
    if (!status) {
      return c.json({
        durable: false,
        reason: "This run ran in-process (a flow called directly, not enqueued for a deployment): Cancel and Resume apply only to durable runs.",
      });
    }
    return c.json({ durable: true, ...status, canCancel: CANCELLABLE.has(status.status), canResume: RESUMABLE.has(status.status) });
  });

  for (const action of ["cancel", "resume"] as const) {
    api.post(`/runs/:id/${action}`, async (c) => {
      const state = await require();
      const id = c.req.param("id");
      try {
        const runId = action === "cancel" ? await state.client.cancel(id) : await state.client.resume(id);
        return c.json({ runId, status: (await state.client.status(runId))?.status });
      } catch (error) {
        if (error instanceof state.durable.NotADurableRunError) throw new UiRequestError(409, error.code, oneLine(error));
        throw error;
      }
    });
  }

  return api;
}
