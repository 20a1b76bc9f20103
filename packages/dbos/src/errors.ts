import { SqlBlocksError } from "@sqlblocks/core";

/** Durable execution is not configured: no PostgreSQL to keep DBOS's state in. */
export class DurableConfigError extends SqlBlocksError {
  constructor(message: string) {
    super("SQLBLOCKS_DURABLE_CONFIG", message);
  }
}

/** The PostgreSQL server behind the durable runs cannot be reached. */
export class DurableStoreUnreachableError extends SqlBlocksError {
  override readonly transient = true;

  constructor(location: string, reason: string, options: { cause?: unknown } = {}) {
    super(
      "SQLBLOCKS_DURABLE_UNREACHABLE",
      `cannot reach the durable-run database at ${location} (${reason}): check SQLBLOCKS_STORE_URL and that PostgreSQL is up`,
      options,
    );
  }
}

/** A deployment definition is not valid. */
export class InvalidDeploymentError extends SqlBlocksError {
  constructor(message: string) {
    super("SQLBLOCKS_INVALID_DEPLOYMENT", `invalid deployment: ${message}`);
  }
}

/** A worker module exports no deployment. */
export class NoDeploymentsError extends SqlBlocksError {
  constructor(readonly modulePath: string) {
    super(
      "SQLBLOCKS_NO_DEPLOYMENTS",
      `module ${modulePath} exports no deployment: export the result of deployment({ name, flow }) from it`,
    );
  }
}

/** No deployment of that name is registered. */
export class DeploymentNotFoundError extends SqlBlocksError {
  constructor(
    readonly deploymentName: string,
    known: readonly string[],
  ) {
    super(
      "SQLBLOCKS_DEPLOYMENT_NOT_FOUND",
      `no deployment named "${deploymentName}" is registered${known.length ? ` (known: ${known.join(", ")})` : ""}: start a worker whose module declares it (sqlblocks worker <module>), then list them with sqlblocks deployments ls`,
    );
  }
}

/** `--param` values that cannot be read. */
export class InvalidParametersError extends SqlBlocksError {
  constructor(message: string) {
    super("SQLBLOCKS_INVALID_PARAMETERS", message);
  }
}

/** Another live worker already uses this worker id. */
export class WorkerIdInUseError extends SqlBlocksError {
  constructor(readonly workerId: string, where: string) {
    super(
      "SQLBLOCKS_WORKER_ID_IN_USE",
      `worker id "${workerId}" is in use by a running worker (${where}): give this worker another id with --id or SQLBLOCKS_WORKER_ID`,
    );
  }
}

/** The run id names no durable run (it may be an in-process run). */
export class NotADurableRunError extends SqlBlocksError {
  constructor(
    readonly runId: string,
    inProcess: boolean,
  ) {
    super(
      "SQLBLOCKS_NOT_DURABLE",
      inProcess
        ? `run ${runId} ran in-process (a flow called directly, not enqueued with sqlblocks run): only durable runs can be cancelled or resumed`
        : `no durable run with id "${runId}": list runs with sqlblocks runs ls`,
    );
  }
}

/** A worker module could not be imported. */
export class DeploymentModuleError extends SqlBlocksError {
  constructor(
    readonly modulePath: string,
    cause: unknown,
  ) {
    super(
      "SQLBLOCKS_DEPLOYMENT_MODULE",
      `cannot import ${modulePath}: ${cause instanceof Error ? cause.message : String(cause)} (a worker module is JavaScript; for TypeScript run node --import tsx ${"$(which sqlblocks)"} worker …, or build it first)`,
      { cause },
    );
  }
}
