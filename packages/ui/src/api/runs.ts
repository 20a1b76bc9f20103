import { LOG_LEVELS, type LogLevel, type RunFilter, type RunQuery, RunState } from "@sqlblocks/flow";
import { Hono } from "hono";
import { UiRequestError } from "../errors.js";

const STATES = new Set<string>(Object.values(RunState));

function filterFrom(url: URL): RunFilter {
  const states = url.searchParams.getAll("state").flatMap((value) => value.split(",")).filter(Boolean);
  const unknown = states.filter((state) => !STATES.has(state));
  if (unknown.length > 0) {
    throw new UiRequestError(400, "SQLBLOCKS_UI_BAD_REQUEST", `unknown state ${unknown.join(", ")}: use ${[...STATES].join(", ")}`);
  }
  const text = (key: string) => url.searchParams.get(key) || undefined;
  return { states: states as RunState[], flow: text("flow"), tag: text("tag"), from: text("from"), to: text("to") };
}

function numberParam(url: URL, key: string): number | undefined {
  const value = url.searchParams.get(key);
  if (value === null || value === "") return undefined;
  if (!/^\d+$/.test(value)) throw new UiRequestError(400, "SQLBLOCKS_UI_BAD_REQUEST", `${key} must be a whole number, got "${value}"`);
  return Number(value);
}

/** The run routes of the JSON API (see the package README): list, history, flows, run, logs. */
export function runRoutes(query: RunQuery): Hono {
  const api = new Hono();

  api.get("/runs", async (c) => {
    const url = new URL(c.req.url);
    return c.json(await query.listRuns({ ...filterFrom(url), limit: numberParam(url, "limit"), offset: numberParam(url, "offset") }));
  });

  api.get("/runs/history", async (c) => c.json(await query.history(filterFrom(new URL(c.req.url)))));

  api.get("/flows", async (c) => c.json(await query.flowNames()));

  api.get("/runs/:id", async (c) => {
    const detail = await query.getRun(c.req.param("id"));
    if (!detail) throw new UiRequestError(404, "SQLBLOCKS_UI_RUN_NOT_FOUND", `no flow run ${c.req.param("id")}`);
    // `?include=logs`: the first page of the log too, so a run page opens with one request.
    if (c.req.query("include") === "logs") return c.json({ ...detail, logs: await query.logs(detail.run.id) });
    return c.json(detail);
  });

  api.get("/runs/:id/logs", async (c) => {
    const url = new URL(c.req.url);
    const level = url.searchParams.get("level") || undefined;
    if (level !== undefined && !LOG_LEVELS.includes(level as LogLevel)) {
      throw new UiRequestError(400, "SQLBLOCKS_UI_BAD_REQUEST", `unknown level ${level}: use ${LOG_LEVELS.join(", ")}`);
    }
    const kind = url.searchParams.get("kind") || undefined;
    if (kind !== undefined && kind !== "log" && kind !== "statement") {
      throw new UiRequestError(400, "SQLBLOCKS_UI_BAD_REQUEST", `unknown kind ${kind}: use log or statement`);
    }
    return c.json(
      await query.logs(c.req.param("id"), {
        afterId: numberParam(url, "after"),
        minLevel: level as LogLevel | undefined,
        kind,
        limit: numberParam(url, "limit"),
      }),
    );
  });

  return api;
}
