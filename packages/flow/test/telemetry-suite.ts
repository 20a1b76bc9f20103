import { inspect } from "node:util";
import { type Attributes, SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace";
import { type ConnectionComponents, parseConnectionUrl, Secret, SqlConnector } from "@sqlblocks/core";
import { beforeAll, describe, expect, it } from "vitest";
import { flow, injectTraceContext, type TraceCarrier, task, withTraceContext } from "../src/index.js";
import { parentOf, type TestSdk } from "./telemetry-setup.js";

/** What differs between databases in the telemetry suite. */
export interface TelemetrySuiteOptions {
  label: string;
  url: string;
  sdk: TestSdk;
  /** `db.system.name`. */
  system: string;
  /** The driver's code for a unique violation (`db.response.status_code`). */
  uniqueViolation: string;
  /** The driver's code for a missing table. */
  missingTable: string;
  /** Put the canary password into the connection (servers that trust every login). */
  canaryPassword?: boolean;
}

const CANARY = "canary-7f3a9c";
const CANARY_PASSWORD = "canary-pw-5e1d2b";

function connection(options: TelemetrySuiteOptions): ConnectionComponents | string {
  if (!options.canaryPassword) return options.url;
  return { ...parseConnectionUrl(options.url), password: new Secret(CANARY_PASSWORD) };
}

/** Everything a backend could receive from a span: name, attributes, events, status. */
function exported(span: ReadableSpan): unknown {
  return {
    name: span.name,
    kind: span.kind,
    attributes: span.attributes,
    events: span.events.map((event) => ({ name: event.name, attributes: event.attributes })),
    status: span.status,
    links: span.links,
    resource: span.resource.attributes,
  };
}

/**
 * Runs one flow that calls every connector operation, then checks the span tree, names,
 * attributes and the duration metric against the stable database conventions.
 */
export function telemetrySuite(options: TelemetrySuiteOptions): void {
  const { sdk, system } = options;
  const flowName = `otel-${options.label}`;
  const select = "SELECT name FROM otel_people WHERE name <> :skip ORDER BY id";
  const insert = "INSERT INTO otel_people (id, name) VALUES (:id, :name)";
  let spans: ReadableSpan[] = [];
  let carrier: TraceCarrier | undefined;
  let namespace: string | undefined;
  let serverAddress: string | undefined;

  const work = task("work", async () => {
    await using db = new SqlConnector({ connectionInfo: connection(options) });
    const components = db.components;
    namespace = system === "sqlite" ? undefined : components.database;
    serverAddress = components.host;
    await db.execute("DROP TABLE IF EXISTS otel_people");
    await db.execute("CREATE TABLE otel_people (id integer primary key, name varchar(100) UNIQUE)");
    await db.executeMany(insert, [1, 2, 3].map((id) => ({ id, name: `${CANARY}-${id}` })));
    await db.fetchOne(select, { skip: `${CANARY}-skip` });
    await db.fetchMany(select, { skip: `${CANARY}-skip` }, 2);
    await db.fetchAll("SELECT id FROM otel_people WHERE id > 1");
    for await (const _chunk of db.stream("SELECT id, name FROM otel_people ORDER BY id", {}, { chunkSize: 2 })) {
      // consume
    }
    await db.transaction(async (tx) => {
      await tx.execute("UPDATE otel_people SET name = :name WHERE id = :id", { id: 1, name: `${CANARY}-updated` });
      await tx.fetchAll("SELECT COUNT(*) AS n FROM otel_people");
    });
    await expect(db.execute(insert, { id: 9, name: `${CANARY}-2` })).rejects.toMatchObject({ driverCode: options.uniqueViolation });
    await expect(
      db.transaction(async (tx) => {
        await tx.execute(insert, { id: 10, name: `${CANARY}-3` });
      }),
    ).rejects.toThrow();
    carrier = injectTraceContext();
  });
  let flakyCalls = 0;
  const flaky = task({ name: "flaky", retries: 1, retryDelayMs: 0, tags: ["otel"] }, async () => {
    flakyCalls++;
    if (flakyCalls === 1) throw new Error("first attempt fails");
  });
  const broken = task("broken", async () => {
    await using db = new SqlConnector({ connectionInfo: connection(options) });
    await db.fetchAll("SELECT * FROM otel_missing_table WHERE id = :id", { id: CANARY });
  });

  beforeAll(async () => {
    sdk.reset();
    await flow({ name: flowName, tags: ["telemetry"] }, async () => {
      await work();
      await flaky();
      await broken().catch(() => undefined);
    })();
    await withTraceContext(carrier, () => flow(`${flowName}-worker`, async () => undefined)());
    spans = sdk.spans();
  }, 60_000);

  const byName = (name: string) => spans.filter((span) => span.name === name);
  const one = (name: string) => {
    const found = byName(name);
    expect(found.map((span) => span.name)).toEqual([name]);
    return found[0]!;
  };
  const connectionAttributes = (): Attributes => ({
    "db.system.name": system,
    ...(namespace === undefined ? {} : { "db.namespace": namespace }),
    ...(serverAddress === undefined ? {} : { "server.address": serverAddress }),
  });

  describe(`OpenTelemetry on ${options.label}`, () => {
    it("one span per flow run and task run, tasks under their flow", () => {
      const root = one(`flow ${flowName}`);
      expect(parentOf(root)).toBeUndefined();
      expect(root.kind).toBe(SpanKind.INTERNAL);
      expect(root.attributes).toMatchObject({
        "sqlblocks.run.kind": "flow",
        "sqlblocks.run.name": flowName,
        "sqlblocks.run.state": "COMPLETED",
        "sqlblocks.run.attempt": 1,
        "sqlblocks.run.tags": ["telemetry"],
      });
      expect(root.attributes["sqlblocks.run.id"]).toMatch(/^[0-9a-f-]{36}$/);
      expect(root.status.code).toBe(SpanStatusCode.OK);
      for (const name of ["task work", "task flaky", "task broken"]) {
        const child = one(name);
        expect(parentOf(child)).toBe(root.spanContext().spanId);
        expect(child.spanContext().traceId).toBe(root.spanContext().traceId);
        expect(child.attributes["sqlblocks.flow_run.id"]).toBe(root.attributes["sqlblocks.run.id"]);
      }
    });

    it("a retried task has a retry event and ends COMPLETED after 2 attempts", () => {
      const flakySpan = one("task flaky");
      expect(flakySpan.attributes).toMatchObject({ "sqlblocks.run.state": "COMPLETED", "sqlblocks.run.attempt": 2, "sqlblocks.run.tags": ["otel"] });
      expect(flakySpan.events.map((event) => [event.name, event.attributes])).toEqual([
        ["retry", { "sqlblocks.run.attempt": 1, "error.type": "Error", "sqlblocks.retry.delay_ms": 0 }],
      ]);
    });

    it("a failed task records its error; its statement span carries error.type and the status code", () => {
      const brokenSpan = one("task broken");
      expect(brokenSpan.status.code).toBe(SpanStatusCode.ERROR);
      expect(brokenSpan.attributes).toMatchObject({ "sqlblocks.run.state": "FAILED", "error.type": options.missingTable });
      expect(brokenSpan.events.map((event) => event.name)).toEqual(["exception"]);
      const statement = byName("SELECT otel_missing_table").find((span) => parentOf(span) === brokenSpan.spanContext().spanId)!;
      expect(statement.kind).toBe(SpanKind.CLIENT);
      expect(statement.status.code).toBe(SpanStatusCode.ERROR);
      expect(statement.attributes).toMatchObject({
        ...connectionAttributes(),
        "db.operation.name": "SELECT",
        "db.collection.name": "otel_missing_table",
        "db.query.text": "SELECT * FROM otel_missing_table WHERE id = :id",
        "db.response.status_code": options.missingTable,
        "error.type": options.missingTable,
      });
    });

    it("a CLIENT span per statement call, named and attributed by the stable conventions", () => {
      const workSpan = one("task work");
      // The worker's flow also continues from this span: it is checked below.
      const statements = spans.filter((span) => parentOf(span) === workSpan.spanContext().spanId && !span.name.startsWith("flow "));
      const rows = statements.map((span) => [span.name, span.attributes["sqlblocks.connector.method"], span.kind]);
      expect(rows).toEqual([
        ["DROP TABLE otel_people", "execute", SpanKind.CLIENT],
        ["CREATE TABLE otel_people", "execute", SpanKind.CLIENT],
        ["BATCH INSERT otel_people", "executeMany", SpanKind.CLIENT],
        ["SELECT otel_people", "fetchOne", SpanKind.CLIENT],
        ["SELECT otel_people", "fetchMany", SpanKind.CLIENT],
        ["SELECT otel_people", "fetchAll", SpanKind.CLIENT],
        ["SELECT otel_people", "stream", SpanKind.CLIENT],
        ["transaction", undefined, SpanKind.INTERNAL],
        ["INSERT otel_people", "execute", SpanKind.CLIENT],
        ["transaction", undefined, SpanKind.INTERNAL],
      ]);
      const batch = byName("BATCH INSERT otel_people")[0]!;
      expect(batch.attributes).toEqual({
        ...connectionAttributes(),
        "db.operation.name": "BATCH INSERT",
        "db.collection.name": "otel_people",
        "db.query.summary": "BATCH INSERT otel_people",
        "db.query.text": insert,
        "db.operation.batch.size": 3,
        "sqlblocks.connector.method": "executeMany",
        "sqlblocks.rows": 3,
      });
      const fetchOne = statements[3]!;
      expect(fetchOne.attributes).toMatchObject({
        ...connectionAttributes(),
        "db.operation.name": "SELECT",
        "db.collection.name": "otel_people",
        "db.query.summary": "SELECT otel_people",
        "db.query.text": select,
        "sqlblocks.rows": 1,
      });
      expect(fetchOne.attributes["server.port"]).toBeUndefined();
      const stream = statements[6]!;
      expect(stream.events.map((event) => [event.name, event.attributes?.["sqlblocks.rows"]])).toEqual([
        ["chunk", 2],
        ["chunk", 1],
      ]);
      expect(stream.attributes["sqlblocks.rows"]).toBe(3);
      const failed = statements[8]!;
      expect(failed.status.code).toBe(SpanStatusCode.ERROR);
      expect(failed.attributes).toMatchObject({ "error.type": options.uniqueViolation, "db.response.status_code": options.uniqueViolation });
      expect(failed.events.map((event) => event.attributes?.["exception.type"])).toEqual(["UniqueViolationError"]);
    });

    it("transaction is an INTERNAL parent of its statements; a failed one is marked failed", () => {
      const [committed, rolledBack] = byName("transaction");
      expect(committed!.status.code).not.toBe(SpanStatusCode.ERROR);
      expect(committed!.attributes).toEqual(connectionAttributes());
      const inside = spans.filter((span) => parentOf(span) === committed!.spanContext().spanId);
      expect(inside.map((span) => [span.name, span.attributes["db.query.text"]])).toEqual([
        ["UPDATE otel_people", "UPDATE otel_people SET name = :name WHERE id = :id"],
        ["SELECT otel_people", "SELECT COUNT(*) AS n FROM otel_people"],
      ]);
      expect(rolledBack!.status.code).toBe(SpanStatusCode.ERROR);
      expect(rolledBack!.attributes["error.type"]).toBe(options.uniqueViolation);
      const failedInside = spans.filter((span) => parentOf(span) === rolledBack!.spanContext().spanId);
      expect(failedInside.map((span) => [span.name, span.attributes["error.type"]])).toEqual([["INSERT otel_people", options.uniqueViolation]]);
    });

    it("a worker continues the trace from the injected context", () => {
      const workSpan = one("task work");
      const worker = one(`flow ${flowName}-worker`);
      expect(carrier?.traceparent).toBe(`00-${workSpan.spanContext().traceId}-${workSpan.spanContext().spanId}-01`);
      expect(worker.spanContext().traceId).toBe(workSpan.spanContext().traceId);
      expect(parentOf(worker)).toBe(workSpan.spanContext().spanId);
    });

    it("db.client.operation.duration: seconds, the conventions' buckets, the span's attributes less the text", async () => {
      const metric = await sdk.durations();
      expect(metric).toBeDefined();
      expect(metric!.descriptor.unit).toBe("s");
      const points = metric!.dataPoints.filter((point) => point.attributes["db.system.name"] === system);
      expect(points.length).toBeGreaterThan(0);
      for (const point of points) {
        expect(point.value.buckets.boundaries).toEqual([0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10]);
        expect(point.attributes["db.query.text"]).toBeUndefined();
      }
      const count = points.reduce((sum, point) => sum + point.value.count, 0);
      const clientSpans = spans.filter((span) => span.kind === SpanKind.CLIENT && span.attributes["db.system.name"] === system);
      expect(count).toBe(clientSpans.length);
      const batch = points.find((point) => point.attributes["db.operation.name"] === "BATCH INSERT")!;
      expect(batch.attributes).toMatchObject({ "db.collection.name": "otel_people", "db.operation.batch.size": 3 });
      const failed = points.filter((point) => point.attributes["error.type"] === options.uniqueViolation);
      expect(failed.map((point) => point.value.count)).toEqual([2]);
      expect(failed[0]!.attributes["db.response.status_code"]).toBe(options.uniqueViolation);
    });

    it("canary: no parameter value or password reaches any span, event or metric", async () => {
      const everything = inspect(
        { spans: spans.map(exported), metrics: await sdk.collect() },
        { depth: Number.POSITIVE_INFINITY, maxArrayLength: Number.POSITIVE_INFINITY, maxStringLength: Number.POSITIVE_INFINITY },
      );
      expect(everything).toContain("otel_people");
      expect(everything).not.toContain(CANARY);
      expect(everything).not.toContain(CANARY_PASSWORD);
    });
  });
}
