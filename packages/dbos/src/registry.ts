import os from "node:os";
import { isProcessAlive } from "@sqlblocks/flow";
import pg from "pg";
import { describeLocation } from "./config.js";
import type { Deployment, DeploymentParameters } from "./deployment.js";
import { DurableStoreUnreachableError, WorkerIdInUseError } from "./errors.js";

/** A deployment as workers registered it. */
export interface DeploymentRecord {
  name: string;
  flow: string;
  parameters: DeploymentParameters;
  queue: string;
  workerConcurrency: number | undefined;
  globalConcurrency: number | undefined;
  cron: string | undefined;
  description: string | undefined;
  /** The worker that registered it last, and when. */
  updatedBy: string;
  updatedAt: string;
}

/** A worker as it registered itself. */
export interface WorkerRecord {
  id: string;
  hostname: string;
  pid: number;
  deployments: string[];
  startedAt: string;
  heartbeatAt: string;
  stoppedAt: string | undefined;
  takenOverBy: string | undefined;
}

const SCHEMA = "sqlblocks";

/** Versioned migrations of this package's tables; each runs once, in order. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE ${SCHEMA}.deployments (
     name text PRIMARY KEY, flow text NOT NULL, parameters jsonb NOT NULL, queue text NOT NULL,
     worker_concurrency integer, global_concurrency integer, cron text, description text,
     updated_by text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
   CREATE TABLE ${SCHEMA}.workers (
     id text PRIMARY KEY, hostname text NOT NULL, pid integer NOT NULL, deployments jsonb NOT NULL,
     started_at timestamptz NOT NULL, heartbeat_at timestamptz NOT NULL, stopped_at timestamptz,
     taken_over_by text)`,
];

const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "ECONNRESET", "28P01", "28000", "3D000"]);

/** True when `error` means the server or the database cannot be used (as opposed to bad SQL). */
export function isUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && UNREACHABLE_CODES.has(code);
}

const iso = (value: unknown): string => (value instanceof Date ? value.toISOString() : String(value));
const optional = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

/**
 * Deployments and workers, in schema `sqlblocks` of DBOS's system database. Workers write,
 * the CLI reads; every process that has the store URL sees the same.
 */
export class DeploymentRegistry {
  readonly #pool: pg.Pool;
  readonly #location: string;

  constructor(systemDatabaseUrl: string) {
    this.#pool = new pg.Pool({ connectionString: systemDatabaseUrl, max: 2, connectionTimeoutMillis: 5_000 });
    this.#pool.on("error", () => undefined);
    this.#location = describeLocation(systemDatabaseUrl);
  }

  async #query<R extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<R[]> {
    try {
      return (await this.#pool.query<R>(sql, values)).rows;
    } catch (error) {
      if (isUnreachable(error)) {
        const code = (error as { code: string }).code;
        throw new DurableStoreUnreachableError(this.#location, code === "3D000" ? "the database does not exist yet: no worker has started" : code, { cause: error });
      }
      throw error;
    }
  }

  /** Creates or upgrades the tables (serialized across processes by an advisory lock). */
  async migrate(): Promise<void> {
    const client = await this.#pool.connect().catch((error: unknown) => {
      throw new DurableStoreUnreachableError(this.#location, String((error as { code?: string }).code ?? error), { cause: error });
    });
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock(hashtext('sqlblocks.dbos.migrate'))");
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${SCHEMA}.dbos_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
      const { rows } = await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${SCHEMA}.dbos_migrations`);
      for (let version = (rows[0]?.version ?? 0) + 1; version <= MIGRATIONS.length; version++) {
        await client.query(MIGRATIONS[version - 1]!);
        await client.query(`INSERT INTO ${SCHEMA}.dbos_migrations (version) VALUES ($1)`, [version]);
      }
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Records (or updates) the deployments a worker serves. */
  async registerDeployments(deployments: readonly Deployment[], workerId: string): Promise<void> {
    for (const d of deployments) {
      await this.#query(
        `INSERT INTO ${SCHEMA}.deployments (name, flow, parameters, queue, worker_concurrency, global_concurrency, cron, description, updated_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
         ON CONFLICT (name) DO UPDATE SET flow = excluded.flow, parameters = excluded.parameters, queue = excluded.queue,
           worker_concurrency = excluded.worker_concurrency, global_concurrency = excluded.global_concurrency, cron = excluded.cron,
           description = excluded.description, updated_by = excluded.updated_by, updated_at = now()`,
        [d.name, d.flow.options.name, JSON.stringify(d.parameters), d.queue.name, d.queue.workerConcurrency, d.queue.globalConcurrency ?? null, d.cron ?? null, d.description ?? null, workerId],
      );
    }
  }

  /** Every registered deployment, by name; `[]` when no worker ever started. */
  async listDeployments(): Promise<DeploymentRecord[]> {
    const rows = await this.#existing(() => this.#query<Record<string, unknown>>(`SELECT * FROM ${SCHEMA}.deployments ORDER BY name`));
    return rows.map((row) => ({
      name: String(row.name),
      flow: String(row.flow),
      parameters: row.parameters as DeploymentParameters,
      queue: String(row.queue),
      workerConcurrency: optional(row.worker_concurrency as number | null),
      globalConcurrency: optional(row.global_concurrency as number | null),
      cron: optional(row.cron as string | null),
      description: optional(row.description as string | null),
      updatedBy: String(row.updated_by),
      updatedAt: iso(row.updated_at),
    }));
  }

  /** One deployment, or `undefined`. */
  async getDeployment(name: string): Promise<DeploymentRecord | undefined> {
    return (await this.listDeployments()).find((d) => d.name === name);
  }

  /** Every worker that ever registered, by id. */
  async listWorkers(): Promise<WorkerRecord[]> {
    const rows = await this.#existing(() => this.#query<Record<string, unknown>>(`SELECT * FROM ${SCHEMA}.workers ORDER BY id`));
    return rows.map((row) => ({
      id: String(row.id),
      hostname: String(row.hostname),
      pid: Number(row.pid),
      deployments: row.deployments as string[],
      startedAt: iso(row.started_at),
      heartbeatAt: iso(row.heartbeat_at),
      stoppedAt: row.stopped_at === null ? undefined : iso(row.stopped_at),
      takenOverBy: optional(row.taken_over_by as string | null),
    }));
  }

  /**
   * Registers a starting worker. Refuses an id whose worker is still alive (a heartbeat
   * younger than `staleAfterMs` and not stopped), so two processes never share an id.
   */
  async registerWorker(id: string, deployments: readonly string[], staleAfterMs: number): Promise<void> {
    const rows = await this.#query<{ id: string }>(
      `INSERT INTO ${SCHEMA}.workers AS w (id, hostname, pid, deployments, started_at, heartbeat_at)
       VALUES ($1, $2, $3, $4, now(), now())
       ON CONFLICT (id) DO UPDATE SET hostname = excluded.hostname, pid = excluded.pid, deployments = excluded.deployments,
         started_at = now(), heartbeat_at = now(), stopped_at = NULL, taken_over_by = NULL
       WHERE w.stopped_at IS NOT NULL OR w.heartbeat_at < now() - $5 * interval '1 millisecond'
         OR (w.hostname = excluded.hostname AND w.pid = excluded.pid)
       RETURNING id`,
      [id, os.hostname(), process.pid, JSON.stringify(deployments), staleAfterMs],
    );
    if (rows.length > 0) return;
    const [other] = (await this.listWorkers()).filter((w) => w.id === id);
    if (other && other.hostname === os.hostname() && !isProcessAlive(other.pid)) {
      // Same host, and its process is gone (e.g. killed with SIGKILL): this is its restart.
      await this.#query(
        `UPDATE ${SCHEMA}.workers SET pid = $2, deployments = $3, started_at = now(), heartbeat_at = now(), stopped_at = NULL, taken_over_by = NULL WHERE id = $1`,
        [id, process.pid, JSON.stringify(deployments)],
      );
      return;
    }
    throw new WorkerIdInUseError(id, other ? `pid ${other.pid} on ${other.hostname}, last seen ${other.heartbeatAt}` : "unknown");
  }

  /** Refreshes a worker's heartbeat. */
  async heartbeat(id: string): Promise<void> {
    await this.#query(`UPDATE ${SCHEMA}.workers SET heartbeat_at = now() WHERE id = $1`, [id]);
  }

  /** Marks a worker stopped (a clean shutdown). */
  async stopWorker(id: string): Promise<void> {
    await this.#query(`UPDATE ${SCHEMA}.workers SET stopped_at = now() WHERE id = $1 AND pid = $2`, [id, process.pid]);
  }

  /**
   * Claims the workers silent for longer than `staleAfterMs` whose runs nobody took over
   * yet; each is claimed by exactly one caller. Returns their ids.
   */
  async claimDeadWorkers(claimant: string, staleAfterMs: number): Promise<string[]> {
    const rows = await this.#query<{ id: string }>(
      `UPDATE ${SCHEMA}.workers SET taken_over_by = $1
       WHERE id <> $1 AND taken_over_by IS NULL AND heartbeat_at < now() - $2 * interval '1 millisecond'
       RETURNING id`,
      [claimant, staleAfterMs],
    );
    return rows.map((row) => row.id);
  }

  /** DBOS's status of a workflow (read straight from its table, recording nothing), or `undefined`. */
  async workflowState(workflowId: string): Promise<string | undefined> {
    const rows = await this.#query<{ status: string }>("SELECT status FROM dbos.workflow_status WHERE workflow_uuid = $1", [workflowId]);
    return rows[0]?.status;
  }

  async #existing<R>(read: () => Promise<R[]>): Promise<R[]> {
    try {
      return await read();
    } catch (error) {
      // No table yet (42P01) or no schema: nothing registered.
      if ((error as { code?: string }).code === "42P01" || (error as { code?: string }).code === "3F000") return [];
      if (error instanceof DurableStoreUnreachableError && (error.cause as { code?: string })?.code === "3D000") return [];
      throw error;
    }
  }

  /** Closes the connections. */
  async close(): Promise<void> {
    await this.#pool.end().catch(() => undefined);
  }
}
