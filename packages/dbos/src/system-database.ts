import pg from "pg";
import { describeLocation } from "./config.js";
import { DurableStoreUnreachableError } from "./errors.js";

const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "ECONNRESET", "28P01", "28000", "3D000"]);

/** True when `error` means the server or the database cannot be used (as opposed to bad SQL). */
export function isUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && UNREACHABLE_CODES.has(code);
}

/** The error to show for an unusable DBOS system database. */
export function unreachable(url: string, error: unknown): DurableStoreUnreachableError {
  const code = String((error as { code?: unknown } | null)?.code ?? (error instanceof Error ? error.message : error));
  return new DurableStoreUnreachableError(describeLocation(url), code === "3D000" ? "the database does not exist yet: no worker has started" : code, { cause: error });
}

/** Checks that DBOS's system database answers (it may not exist before the first worker). */
export async function probeSystemDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (error) {
    if ((error as { code?: unknown }).code === "3D000") return;
    throw unreachable(url, error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A one-connection reader of DBOS's workflow status, outside DBOS's step bookkeeping. */
export class WorkflowStateReader {
  readonly #pool: pg.Pool;

  constructor(url: string) {
    this.#pool = new pg.Pool({ connectionString: url, max: 1 });
    this.#pool.on("error", () => undefined);
  }

  /** DBOS's status of a workflow, or `undefined`. */
  async state(workflowId: string): Promise<string | undefined> {
    const { rows } = await this.#pool.query<{ status: string }>("SELECT status FROM dbos.workflow_status WHERE workflow_uuid = $1", [workflowId]);
    return rows[0]?.status;
  }

  async close(): Promise<void> {
    await this.#pool.end().catch(() => undefined);
  }
}
