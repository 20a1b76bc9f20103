import path from "node:path";
import { pathToFileURL } from "node:url";
import { DBOS } from "@dbos-inc/dbos-sdk";
import pg from "pg";
import { type TraceCarrier, withTraceContext } from "@sqlblocks/core";
import { flushRunHistory, withRunExecutor } from "@sqlblocks/flow";
import { type DurableConfig, defaultWorkerId, resolveDurableConfig } from "./config.js";
import { collectDeployments, type Deployment, type DeploymentParameters } from "./deployment.js";
import { DurableRunExecutor } from "./durable-executor.js";
import { DeploymentModuleError, DeploymentNotFoundError, NoDeploymentsError } from "./errors.js";
import { settleInterruptedTasks } from "./history.js";
import { DeploymentRegistry } from "./registry.js";
import { unreachable, WorkflowStateReader } from "./system-database.js";

/** The DBOS workflow every enqueued run executes: `(deploymentName, parameters, traceCarrier?)`. */
export const RUN_WORKFLOW = "sqlblocks.run";
/** The DBOS workflow cron schedules start: `(scheduledAt, { deployment })`. */
export const SCHEDULED_WORKFLOW = "sqlblocks.scheduled";

/** Options of {@link startWorker}. */
export interface WorkerOptions {
  /** The module that exports the deployments (a path, resolved from the working directory). */
  module: string;
  /** The worker id (default {@link defaultWorkerId}: `$SQLBLOCKS_WORKER_ID`, else the host name). */
  id?: string;
  /** Where the configuration comes from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Where the worker's own status lines go (default stderr). */
  log?: (line: string) => void;
}

/** A started worker; see {@link startWorker}. */
export interface Worker {
  readonly id: string;
  readonly deployments: readonly Deployment[];
  /** Stops taking runs, marks the worker stopped and shuts DBOS down. */
  stop(): Promise<void>;
}

/**
 * Imports a module and returns the deployments it exports.
 *
 * @throws {NoDeploymentsError} when it exports none
 */
export async function loadDeployments(modulePath: string, cwd: string = process.cwd()): Promise<Deployment[]> {
  const absolute = path.resolve(cwd, modulePath);
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
  } catch (error) {
    throw new DeploymentModuleError(modulePath, error);
  }
  const deployments = collectDeployments(namespace);
  if (deployments.length === 0) throw new NoDeploymentsError(modulePath);
  return deployments;
}

let started = false;

/**
 * Starts a worker in this process (one per process: DBOS is process-wide): registers the
 * module's deployments and itself in the store, launches DBOS (which first re-enqueues
 * the unfinished runs of this worker id), then runs queued and scheduled runs. Every
 * `heartbeatMs` it refreshes its heartbeat and takes over the runs of workers silent for
 * longer than `takeoverAfterMs`.
 */
export async function startWorker(options: WorkerOptions): Promise<Worker> {
  if (started) throw new Error("a worker is already running in this process: start one worker per process");
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const config: DurableConfig = resolveDurableConfig(options.env);
  const id = options.id?.trim() || defaultWorkerId(options.env);
  const deployments = await loadDeployments(options.module);
  const byName = new Map(deployments.map((d) => [d.name, d]));

  // The store first (run history, deployments, workers), then DBOS's own database.
  const registry = await DeploymentRegistry.open();
  await registry.registerWorker(id, [...byName.keys()], config.takeoverAfterMs);
  try {
    await DBOS.migrate(config.systemDatabaseUrl);
  } catch (error) {
    throw unreachable(config.systemDatabaseUrl, error);
  }
  const states = new WorkflowStateReader(config.systemDatabaseUrl);
  started = true;

  const runDeployment = async (name: string, parameters: DeploymentParameters, trace?: TraceCarrier): Promise<unknown> => {
    const deployment = byName.get(name);
    if (!deployment) throw new DeploymentNotFoundError(name, [...byName.keys()]);
    const runId = DBOS.workflowID!;
    // Outside a step on purpose: harmless to repeat, and needed on every resumption.
    await settleInterruptedTasks(runId, id);
    const executor = new DurableRunExecutor(runId, [`worker:${id}`, `deployment:${name}`], async () => (await states.state(runId)) === "CANCELLED");
    try {
      // The run's spans continue the trace of whoever enqueued it.
      return await withTraceContext(trace, () => withRunExecutor(executor, () => deployment.flow({ ...deployment.parameters, ...parameters })));
    } finally {
      await flushRunHistory();
    }
  };
  DBOS.registerWorkflow(runDeployment, { name: RUN_WORKFLOW });
  const scheduled = DBOS.registerWorkflow(
    async (scheduledAt: Date, context: { deployment: string }): Promise<void> => {
      await runDeployment(context.deployment, { scheduledAt: new Date(scheduledAt).toISOString() });
    },
    { name: SCHEDULED_WORKFLOW },
  );

  const queues = new Map(deployments.map((d) => [d.queue.name, d.queue]));
  const pool = config.synchronousCommit
    ? undefined
    : new pg.Pool({ connectionString: config.systemDatabaseUrl, options: "-c synchronous_commit=off", max: 10 });
  pool?.on("error", () => undefined);
  DBOS.setConfig({
    name: config.applicationName,
    systemDatabaseUrl: config.systemDatabaseUrl,
    ...(pool ? { systemDatabasePool: pool } : {}),
    applicationVersion: config.applicationVersion,
    executorID: id,
    listenQueues: [...queues.keys()],
    logLevel: options.env?.SQLBLOCKS_DBOS_LOG_LEVEL ?? process.env.SQLBLOCKS_DBOS_LOG_LEVEL ?? "warn",
  });
  await DBOS.launch();
  for (const queue of queues.values()) {
    await DBOS.registerQueue(queue.name, {
      workerConcurrency: queue.workerConcurrency,
      ...(queue.globalConcurrency === undefined ? {} : { globalConcurrency: queue.globalConcurrency }),
      minPollingIntervalMs: queue.pollingIntervalMs,
      onConflict: "always_update",
    });
  }
  const schedules = deployments.filter((d) => d.cron !== undefined);
  if (schedules.length > 0) {
    await DBOS.applySchedules(
      schedules.map((d) => ({
        scheduleName: d.name,
        workflowFn: scheduled,
        schedule: d.cron!,
        context: { deployment: d.name },
        queueName: d.queue.name,
      })),
    );
  }
  await registry.registerDeployments(deployments, id);
  log(
    `worker ${id} started (pid ${process.pid}): ${deployments
      .map((d) => `${d.name} [queue ${d.queue.name}: ${d.queue.workerConcurrency} here${d.queue.globalConcurrency ? `, ${d.queue.globalConcurrency} in all` : ""}${d.cron ? `; cron ${d.cron}` : ""}]`)
      .join(", ")}`,
  );

  const takeOver = async (deadId: string): Promise<void> => {
    const pending = await DBOS.listWorkflows({ status: "PENDING", executorId: deadId, applicationVersion: config.applicationVersion });
    for (const workflow of pending) {
      await DBOS.resumeWorkflow(workflow.workflowID, workflow.queueName ? { queueName: workflow.queueName } : undefined);
    }
    log(`worker ${id} took over ${pending.length} unfinished run(s) of worker ${deadId}, silent for over ${config.takeoverAfterMs} ms`);
  };
  let beating = false;
  const timer = setInterval(() => {
    if (beating) return;
    beating = true;
    void (async () => {
      try {
        await registry.heartbeat(id);
        for (const deadId of await registry.claimDeadWorkers(id, config.takeoverAfterMs)) await takeOver(deadId);
      } catch (error) {
        log(`worker ${id}: heartbeat failed: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        beating = false;
      }
    })();
  }, config.heartbeatMs);

  let stopping: Promise<void> | undefined;
  return {
    id,
    deployments,
    stop() {
      stopping ??= (async () => {
        clearInterval(timer);
        await registry.stopWorker(id).catch(() => undefined);
        await DBOS.shutdown();
        await pool?.end().catch(() => undefined);
        await flushRunHistory();
        await states.close();
        started = false;
      })();
      return stopping;
    },
  };
}
