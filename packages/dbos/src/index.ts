/**
 * Durable sqlblocks flows on DBOS Transact over PostgreSQL: deployments, workers that
 * survive restarts and scale out, and a client to enqueue, cancel and resume runs.
 *
 * @packageDocumentation
 */
export { DurableClient, type DurableRunStatus, type RunOutcome } from "./client.js";
export { DURABLE_ENV, type DurableConfig, defaultWorkerId, resolveDurableConfig } from "./config.js";
export {
  collectDeployments,
  type Deployment,
  type DeploymentOptions,
  type DeploymentParameters,
  deployment,
  isDeployment,
  type QueueOptions,
} from "./deployment.js";
export { DurableRunExecutor } from "./durable-executor.js";
export {
  DeploymentModuleError,
  DeploymentNotFoundError,
  DurableConfigError,
  DurableStoreUnreachableError,
  InvalidDeploymentError,
  InvalidParametersError,
  NoDeploymentsError,
  NotADurableRunError,
  WorkerIdInUseError,
} from "./errors.js";
export { parseParameters } from "./params.js";
export type { DeploymentRecord, WorkerRecord } from "./registry.js";
export { loadDeployments, RUN_WORKFLOW, SCHEDULED_WORKFLOW, startWorker, type Worker, type WorkerOptions } from "./worker.js";
