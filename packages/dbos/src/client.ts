import { injectTraceContext } from "@sqlblocks/core";
import { randomUUID } from "node:crypto";
import { DBOSClient, Error as DBOSErrors, type WorkflowStatus } from "@dbos-inc/dbos-sdk";
import { type DurableConfig, describeLocation, resolveDurableConfig } from "./config.js";
import type { DeploymentParameters } from "./deployment.js";
import { DeploymentNotFoundError, DurableStoreUnreachableError, NotADurableRunError } from "./errors.js";
import { findFlowRun, recordCancelledRun, recordQueuedRun } from "./history.js";
import { type DeploymentRecord, DeploymentRegistry, type WorkerRecord } from "./registry.js";
import { isUnreachable, probeSystemDatabase } from "./system-database.js";
import { RUN_WORKFLOW } from "./worker.js";

/** The outcome of a durable run, from {@link DurableClient.waitForResult}. */
export type RunOutcome =
  | { state: "COMPLETED"; result: unknown }
  | { state: "FAILED" | "CANCELLED"; error: string };

/** What a durable run is doing, as DBOS reports it. */
export interface DurableRunStatus {
  id: string;
  /** DBOS's status: ENQUEUED, PENDING, SUCCESS, ERROR, CANCELLED, MAX_RECOVERY_ATTEMPTS_EXCEEDED. */
  status: string;
  /** The worker that runs or ran it last. */
  workerId: string | undefined;
  queue: string | undefined;
  deployment: string | undefined;
  createdAt: number | undefined;
  updatedAt: number | undefined;
}

function toStatus(workflow: WorkflowStatus): DurableRunStatus {
  const input = workflow.input as unknown[] | undefined;
  return {
    id: workflow.workflowID,
    status: workflow.status,
    workerId: workflow.executorId,
    queue: workflow.queueName,
    deployment: typeof input?.[0] === "string" ? input[0] : undefined,
    createdAt: workflow.createdAt,
    updatedAt: workflow.updatedAt,
  };
}

/**
 * Enqueues, inspects, cancels and resumes durable runs from any process that has the
 * store URL: the CLI's `run`, `deployments ls` and `runs cancel|resume` are built on it.
 *
 * @example
 * await using client = await DurableClient.open();
 * const id = await client.enqueue("nightly-etl", { day: "2024-01-01" });
 * console.log(await client.waitForResult(id));
 */
export class DurableClient {
  readonly config: DurableConfig;
  readonly registry: DeploymentRegistry;
  #dbos: Promise<DBOSClient> | undefined;

  private constructor(config: DurableConfig, registry: DeploymentRegistry) {
    this.config = config;
    this.registry = registry;
  }

  /**
   * Opens a client on the configured cluster and checks that the store and DBOS's
   * database answer.
   *
   * @throws {DurableConfigError} without a PostgreSQL URL
   * @throws {DurableStoreUnreachableError} when DBOS's database does not answer
   * @throws {StoreError} when the store cannot be opened
   */
  static async open(config: DurableConfig = resolveDurableConfig()): Promise<DurableClient> {
    await probeSystemDatabase(config.systemDatabaseUrl);
    return new DurableClient(config, await DeploymentRegistry.open());
  }

  #client(): Promise<DBOSClient> {
    this.#dbos ??= DBOSClient.create({
      systemDatabaseUrl: this.config.systemDatabaseUrl,
      applicationName: this.config.applicationName,
      systemDatabasePoolSize: 2,
    });
    return this.#dbos;
  }

  async #guard<R>(operation: () => Promise<R>): Promise<R> {
    try {
      return await operation();
    } catch (error) {
      if (isUnreachable(error)) {
        throw new DurableStoreUnreachableError(describeLocation(this.config.systemDatabaseUrl), String((error as { code: string }).code), { cause: error });
      }
      throw error;
    }
  }

  /** The deployments workers registered. */
  listDeployments(): Promise<DeploymentRecord[]> {
    return this.registry.listDeployments();
  }

  /** The workers that registered. */
  listWorkers(): Promise<WorkerRecord[]> {
    return this.registry.listWorkers();
  }

  /**
   * Enqueues a run of a deployment with `parameters` over its defaults and returns the run
   * id (also its flow run id in `sqlblocks runs show`).
   *
   * @throws {DeploymentNotFoundError} when no worker registered that deployment; nothing is enqueued
   */
  async enqueue(deploymentName: string, parameters: DeploymentParameters = {}): Promise<string> {
    const deployments = await this.registry.listDeployments();
    const deployment = deployments.find((d) => d.name === deploymentName);
    if (!deployment) throw new DeploymentNotFoundError(deploymentName, deployments.map((d) => d.name));
    const runId = randomUUID();
    await recordQueuedRun(runId, deployment.flow, deployment.name, { ...deployment.parameters, ...parameters });
    const client = await this.#guard(() => this.#client());
    await this.#guard(() =>
      client.enqueue(
        { workflowName: RUN_WORKFLOW, queueName: deployment.queue, workflowID: runId, appVersion: this.config.applicationVersion },
        deployment.name,
        parameters,
        // The worker continues this trace (W3C trace context; nothing when no span is active).
        injectTraceContext(),
      ),
    );
    return runId;
  }

  /** Waits until a run ends and tells how. */
  async waitForResult(runId: string, pollingIntervalMs = 250): Promise<RunOutcome> {
    const client = await this.#guard(() => this.#client());
    try {
      const result = await client.retrieveWorkflow(runId).getResult({ pollingIntervalMs });
      return { state: "COMPLETED", result };
    } catch (error) {
      const status = await client.getWorkflow(runId);
      const message = error instanceof Error ? error.message : String(error);
      if (status?.status === "CANCELLED" || error instanceof DBOSErrors.DBOSAwaitedWorkflowCancelledError) {
        return { state: "CANCELLED", error: `run ${runId} was cancelled` };
      }
      return { state: "FAILED", error: message };
    }
  }

  /** A durable run's status, or `undefined` when DBOS does not know the id. */
  async status(runId: string): Promise<DurableRunStatus | undefined> {
    const client = await this.#guard(() => this.#client());
    const workflow = await this.#guard(() => client.getWorkflow(runId));
    return workflow ? toStatus(workflow) : undefined;
  }

  /** Every durable run of this application (most recent first), for tables and tests. */
  async listRuns(limit = 1000): Promise<DurableRunStatus[]> {
    const client = await this.#guard(() => this.#client());
    const workflows = await this.#guard(() => client.listWorkflows({ workflowName: RUN_WORKFLOW, limit, sortDesc: true, loadInput: true, loadOutput: false }));
    return workflows.map(toStatus);
  }

  /** The full run id for an id or a unique prefix; a clear error for in-process or unknown runs. */
  async #resolve(idOrPrefix: string): Promise<string> {
    if (await this.status(idOrPrefix)) return idOrPrefix;
    const inHistory = await findFlowRun(idOrPrefix).catch(() => undefined);
    if (inHistory && (await this.status(inHistory.id))) return inHistory.id;
    throw new NotADurableRunError(idOrPrefix, inHistory !== undefined);
  }

  /**
   * Cancels a durable run: a queued run never starts; a running one stops before its next
   * task (the task in flight finishes) and ends CANCELLED. Returns the run id.
   */
  async cancel(idOrPrefix: string): Promise<string> {
    const runId = await this.#resolve(idOrPrefix);
    const client = await this.#client();
    await this.#guard(() => client.cancelWorkflow(runId));
    await recordCancelledRun(runId);
    return runId;
  }

  /**
   * Resumes a cancelled or stuck durable run on its queue: it continues after its last
   * completed task. Returns the run id.
   */
  async resume(idOrPrefix: string): Promise<string> {
    const runId = await this.#resolve(idOrPrefix);
    const client = await this.#client();
    const status = await this.status(runId);
    await this.#guard(() => client.resumeWorkflow(runId, status?.queue ? { queueName: status.queue } : undefined));
    return runId;
  }

  /** Closes connections. */
  async close(): Promise<void> {
    const dbos = this.#dbos;
    this.#dbos = undefined;
    if (dbos) await dbos.then((c) => c.destroy()).catch(() => undefined);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
