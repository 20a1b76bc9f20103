import type { Flow } from "@sqlblocks/flow";
import { isSecret } from "@sqlblocks/core";
import { InvalidDeploymentError } from "./errors.js";

const DEPLOYMENT_BRAND = Symbol.for("sqlblocks.deployment");
const NAME_RULE = /^[a-z0-9][a-z0-9_-]{0,127}$/;

/** The parameters a deployed flow receives: one object, JSON-compatible (they are stored). */
export type DeploymentParameters = Record<string, unknown>;

/** The queue a deployment's runs wait in. */
export interface QueueOptions {
  /** Queue name (default: the deployment's name). Deployments may share a queue. */
  name?: string;
  /** Runs of this queue one worker process runs at once (default 4). */
  workerConcurrency?: number;
  /** Runs of this queue running at once across all workers (default: no limit). */
  globalConcurrency?: number;
  /** How often a worker looks for queued runs, in ms (default 1000; lower drains faster, at more queries). */
  pollingIntervalMs?: number;
}

/** What {@link deployment} takes. */
export interface DeploymentOptions<P extends DeploymentParameters> {
  /** The name runs are enqueued by: lowercase letters, digits, `-` and `_`. */
  name: string;
  /** The flow to run; it is called with one argument, the parameters object. */
  flow: Flow<[P], unknown>;
  /** Default parameters, merged under the ones given to `sqlblocks run --param`. */
  parameters?: Partial<P>;
  /** The queue and its concurrency limits. */
  queue?: QueueOptions;
  /**
   * A cron schedule: five fields (minute first) or six (second first, e.g. `*\/10 * * * * *`
   * every ten seconds). Scheduled runs get the default parameters and `scheduledAt`, the
   * ISO time they were scheduled for.
   */
  cron?: string;
  /** What the deployment does, shown by `sqlblocks deployments ls`. */
  description?: string;
}

/** A flow declared for workers: see {@link deployment}. */
export interface Deployment {
  readonly name: string;
  readonly flow: Flow<[DeploymentParameters], unknown>;
  readonly parameters: Readonly<DeploymentParameters>;
  readonly queue: Readonly<Required<Pick<QueueOptions, "name" | "workerConcurrency" | "pollingIntervalMs">> & Pick<QueueOptions, "globalConcurrency">>;
  readonly cron: string | undefined;
  readonly description: string | undefined;
}

function positiveInteger(value: number | undefined, label: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1) throw new InvalidDeploymentError(`${label} must be a whole number ≥ 1, got ${String(value)}`);
  return value;
}

/**
 * Declares a deployment: a flow with default parameters, a queue and optionally a cron
 * schedule. Export it from a module and start workers on that module with
 * `sqlblocks worker ./deployments.js`; then `sqlblocks run <name>` enqueues runs from any
 * machine that has the store URL.
 *
 * Deployed flows take one parameters object. Pass block names in it, never connectors or
 * secrets: parameters are stored in the database as they are.
 *
 * @example
 * export const nightly = deployment({
 *   name: "nightly-etl",
 *   flow: etl,                                  // flow("etl", async ({ day, block }) => …)
 *   parameters: { block: "warehouse" },
 *   queue: { workerConcurrency: 4, globalConcurrency: 8 },
 *   cron: "0 3 * * *",
 * });
 */
export function deployment<P extends DeploymentParameters>(options: DeploymentOptions<P>): Deployment {
  if (typeof options !== "object" || options === null) throw new InvalidDeploymentError("deployment() takes an options object { name, flow }");
  const { name, flow } = options;
  if (typeof name !== "string" || !NAME_RULE.test(name)) {
    throw new InvalidDeploymentError(`name ${JSON.stringify(name)}: use 1-128 lowercase letters, digits, - and _, starting with a letter or digit`);
  }
  if (typeof flow !== "function" || (flow as { kind?: unknown }).kind !== "flow") {
    throw new InvalidDeploymentError(`"${name}": flow must be a function made with flow() from @sqlblocks/flow`);
  }
  const parameters = options.parameters ?? {};
  if (typeof parameters !== "object" || parameters === null || Array.isArray(parameters)) {
    throw new InvalidDeploymentError(`"${name}": parameters must be an object`);
  }
  checkStorable(name, parameters, "parameters");
  const queue = options.queue ?? {};
  const queueName = queue.name ?? name;
  if (typeof queueName !== "string" || !NAME_RULE.test(queueName)) throw new InvalidDeploymentError(`"${name}": queue name ${JSON.stringify(queueName)} breaks the naming rule`);
  if (options.cron !== undefined && (typeof options.cron !== "string" || ![5, 6].includes(options.cron.trim().split(/\s+/).length))) {
    throw new InvalidDeploymentError(`"${name}": cron must have 5 fields (minute first) or 6 (second first), got ${JSON.stringify(options.cron)}`);
  }
  const result: Deployment = {
    name,
    flow: flow as unknown as Flow<[DeploymentParameters], unknown>,
    parameters: Object.freeze({ ...parameters }),
    queue: Object.freeze({
      name: queueName,
      workerConcurrency: positiveInteger(queue.workerConcurrency, `"${name}": queue.workerConcurrency`) ?? 4,
      globalConcurrency: positiveInteger(queue.globalConcurrency, `"${name}": queue.globalConcurrency`),
      pollingIntervalMs: positiveInteger(queue.pollingIntervalMs, `"${name}": queue.pollingIntervalMs`) ?? 1000,
    }),
    cron: options.cron?.trim(),
    description: options.description,
  };
  Object.defineProperty(result, DEPLOYMENT_BRAND, { value: true });
  return Object.freeze(result);
}

/** True for a value made by {@link deployment}, even by another copy of this package. */
export function isDeployment(value: unknown): value is Deployment {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[DEPLOYMENT_BRAND] === true;
}

/**
 * The deployments a module exports: every export made by {@link deployment}, and those in
 * exported arrays (`export default [a, b]`). Two with one name are an error.
 */
export function collectDeployments(namespace: Readonly<Record<string, unknown>>): Deployment[] {
  const found = new Map<string, Deployment>();
  const add = (value: unknown) => {
    if (!isDeployment(value)) return;
    const existing = found.get(value.name);
    if (existing && existing !== value) throw new InvalidDeploymentError(`two deployments are named "${value.name}"`);
    found.set(value.name, value);
  };
  for (const value of Object.values(namespace)) {
    if (Array.isArray(value)) for (const item of value) add(item);
    else add(value);
  }
  return [...found.values()];
}

/**
 * Default parameters are stored in the shared database as they are and travel as JSON, so
 * they must be JSON values; a secret or a connector would be stored with its password, so
 * those are refused with what to pass instead.
 */
function checkStorable(name: string, value: unknown, path: string): void {
  if (value === null || value === undefined || typeof value === "string" || typeof value === "boolean") return;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new InvalidDeploymentError(`"${name}": ${path} is ${value}, which JSON cannot hold`);
    return;
  }
  if (isSecret(value)) {
    throw new InvalidDeploymentError(
      `"${name}": ${path} is a Secret; default parameters are stored as they are, so keep the secret in a block and pass the block's name`,
    );
  }
  if (typeof value !== "object") {
    throw new InvalidDeploymentError(`"${name}": ${path} is a ${typeof value}; parameters must be JSON values (they are stored and sent as JSON)`);
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) checkStorable(name, item, `${path}[${index}]`);
    return;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    const kind = (value as { constructor?: { name?: string } }).constructor?.name || "class instance";
    throw new InvalidDeploymentError(
      `"${name}": ${path} is a ${kind}; parameters must be JSON values (they are stored and sent as JSON): pass a block's name instead of a connector, an ISO string instead of a Date`,
    );
  }
  for (const [key, item] of Object.entries(value)) checkStorable(name, item, `${path}.${key}`);
}
