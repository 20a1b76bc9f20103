import os from "node:os";
import { getDefaultStore, type StoreDatabase, type StoreMigrationSet } from "@sqlblocks/core";
import { isProcessAlive } from "@sqlblocks/flow";
import type { Deployment, DeploymentParameters } from "./deployment.js";
import { WorkerIdInUseError } from "./errors.js";

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

/** This package's tables in the store (portable SQL, ISO timestamps). */
export const DBOS_TABLES: StoreMigrationSet = {
  owner: "@sqlblocks/dbos",
  migrations: [
    {
      version: 1,
      statements: () => [
        `CREATE TABLE IF NOT EXISTS dbos_deployments (
           name TEXT PRIMARY KEY, flow TEXT NOT NULL, parameters TEXT NOT NULL, queue TEXT NOT NULL,
           worker_concurrency INTEGER, global_concurrency INTEGER, cron TEXT, description TEXT,
           updated_by TEXT NOT NULL, updated_at TEXT NOT NULL)`,
        `CREATE TABLE IF NOT EXISTS dbos_workers (
           id TEXT PRIMARY KEY, hostname TEXT NOT NULL, pid INTEGER NOT NULL, deployments TEXT NOT NULL,
           started_at TEXT NOT NULL, heartbeat_at TEXT NOT NULL, stopped_at TEXT, taken_over_by TEXT)`,
      ],
    },
  ],
};

type Row = Record<string, unknown>;
const text = (value: unknown): string | undefined => (value === null || value === undefined ? undefined : String(value));
const integer = (value: unknown): number | undefined => (value === null || value === undefined ? undefined : Number(value));
const now = () => new Date().toISOString();
const before = (ms: number) => new Date(Date.now() - ms).toISOString();

function toWorker(row: Row): WorkerRecord {
  return {
    id: String(row.id),
    hostname: String(row.hostname),
    pid: Number(row.pid),
    deployments: JSON.parse(String(row.deployments)) as string[],
    startedAt: String(row.started_at),
    heartbeatAt: String(row.heartbeat_at),
    stoppedAt: text(row.stopped_at),
    takenOverBy: text(row.taken_over_by),
  };
}

/**
 * Deployments and workers, kept in the sqlblocks store (`SQLBLOCKS_STORE_URL`, or the
 * embedded store of `SQLBLOCKS_HOME`): workers write, the CLI reads, and every process that
 * has the store sees the same. Heartbeat ages compare ISO times written by each host's
 * clock: keep the clocks of a cluster in sync (NTP) and the takeover timeout well above
 * their skew.
 */
export class DeploymentRegistry {
  readonly #db: StoreDatabase;

  private constructor(db: StoreDatabase) {
    this.#db = db;
  }

  /** The registry of the default store, its tables created or upgraded on first use. */
  static async open(): Promise<DeploymentRegistry> {
    const store = await getDefaultStore();
    await store.migrate(DBOS_TABLES);
    return new DeploymentRegistry(store.db);
  }

  /** Records (or updates) the deployments a worker serves. */
  async registerDeployments(deployments: readonly Deployment[], workerId: string): Promise<void> {
    await this.#db.transaction(async (tx) => {
      for (const d of deployments) {
        await tx.run(
          `INSERT INTO dbos_deployments (name, flow, parameters, queue, worker_concurrency, global_concurrency, cron, description, updated_by, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET flow = excluded.flow, parameters = excluded.parameters, queue = excluded.queue,
             worker_concurrency = excluded.worker_concurrency, global_concurrency = excluded.global_concurrency, cron = excluded.cron,
             description = excluded.description, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
          [d.name, d.flow.options.name, JSON.stringify(d.parameters), d.queue.name, d.queue.workerConcurrency, d.queue.globalConcurrency ?? null, d.cron ?? null, d.description ?? null, workerId, now()],
        );
      }
    });
  }

  /** Every registered deployment, by name. */
  async listDeployments(): Promise<DeploymentRecord[]> {
    const rows = await this.#db.all<Row>("SELECT * FROM dbos_deployments ORDER BY name");
    return rows.map((row) => ({
      name: String(row.name),
      flow: String(row.flow),
      parameters: JSON.parse(String(row.parameters)) as DeploymentParameters,
      queue: String(row.queue),
      workerConcurrency: integer(row.worker_concurrency),
      globalConcurrency: integer(row.global_concurrency),
      cron: text(row.cron),
      description: text(row.description),
      updatedBy: String(row.updated_by),
      updatedAt: String(row.updated_at),
    }));
  }

  /** Every worker that ever registered, by id. */
  async listWorkers(): Promise<WorkerRecord[]> {
    return (await this.#db.all<Row>("SELECT * FROM dbos_workers ORDER BY id")).map(toWorker);
  }

  /**
   * Registers a starting worker. Refuses an id whose worker is still alive (a heartbeat
   * younger than `staleAfterMs` and not stopped), so two processes never share an id; a
   * restart on the same host after its process died (SIGKILL) is let through.
   */
  async registerWorker(id: string, deployments: readonly string[], staleAfterMs: number): Promise<void> {
    const hostname = os.hostname();
    await this.#db.transaction(async (tx) => {
      const row = await tx.get<Row>("SELECT * FROM dbos_workers WHERE id = ?", [id]);
      const at = now();
      if (row) {
        const other = toWorker(row);
        const free =
          other.stoppedAt !== undefined ||
          other.heartbeatAt < before(staleAfterMs) ||
          (other.hostname === hostname && (other.pid === process.pid || !isProcessAlive(other.pid)));
        if (!free) throw new WorkerIdInUseError(id, `pid ${other.pid} on ${other.hostname}, last seen ${other.heartbeatAt}`);
      }
      await tx.run(
        `INSERT INTO dbos_workers (id, hostname, pid, deployments, started_at, heartbeat_at, stopped_at, taken_over_by)
         VALUES (?, ?, ?, ?, ?, ?, NULL, NULL)
         ON CONFLICT (id) DO UPDATE SET hostname = excluded.hostname, pid = excluded.pid, deployments = excluded.deployments,
           started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, stopped_at = NULL, taken_over_by = NULL`,
        [id, hostname, process.pid, JSON.stringify(deployments), at, at],
      );
    });
  }

  /** Refreshes a worker's heartbeat. */
  async heartbeat(id: string): Promise<void> {
    await this.#db.run("UPDATE dbos_workers SET heartbeat_at = ? WHERE id = ? AND pid = ?", [now(), id, process.pid]);
  }

  /** Marks a worker stopped (a clean shutdown). */
  async stopWorker(id: string): Promise<void> {
    await this.#db.run("UPDATE dbos_workers SET stopped_at = ? WHERE id = ? AND pid = ?", [now(), id, process.pid]);
  }

  /**
   * Claims the workers silent for longer than `staleAfterMs` whose runs nobody took over
   * yet; each is claimed by exactly one caller (one write transaction). Returns their ids.
   */
  async claimDeadWorkers(claimant: string, staleAfterMs: number): Promise<string[]> {
    return this.#db.transaction(async (tx) => {
      const rows = await tx.all<{ id: string }>(
        "SELECT id FROM dbos_workers WHERE id <> ? AND taken_over_by IS NULL AND heartbeat_at < ?",
        [claimant, before(staleAfterMs)],
      );
      const claimed: string[] = [];
      for (const { id } of rows) {
        const { changes } = await tx.run("UPDATE dbos_workers SET taken_over_by = ? WHERE id = ? AND taken_over_by IS NULL", [claimant, id]);
        if (changes === 1) claimed.push(String(id));
      }
      return claimed;
    });
  }
}
