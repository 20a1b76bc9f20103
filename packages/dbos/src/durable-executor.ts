import { createHash } from "node:crypto";
import { DBOS, Error as DBOSErrors } from "@dbos-inc/dbos-sdk";
import { RunCancelRequestedError, type RunExecutor } from "@sqlblocks/flow";

/** A UUID-shaped id derived from `seed`: the same seed gives the same id on every replay. */
function derivedId(seed: string): string {
  const hex = createHash("sha256").update(seed).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function isCancellation(error: unknown): boolean {
  return error instanceof DBOSErrors.DBOSWorkflowCancelledError || (error as { name?: unknown } | null)?.name === "DBOSWorkflowCancelledError";
}

/**
 * Runs the flow of one DBOS workflow durably: the first flow run takes the workflow's id,
 * subflows get ids derived from it, and every task call is a DBOS step, so that a task
 * whose step completed returns its recorded result on replay instead of running again.
 * Retries, `retryCondition` and timeouts stay with the flow engine, inside the step.
 */
export class DurableRunExecutor implements RunExecutor {
  readonly tags: readonly string[];
  readonly #workflowId: string;
  #flows = 0;

  constructor(workflowId: string, tags: readonly string[]) {
    this.#workflowId = workflowId;
    this.tags = tags;
  }

  nextFlowRunId(): string {
    const n = this.#flows++;
    return n === 0 ? this.#workflowId : derivedId(`${this.#workflowId}/flow/${n}`);
  }

  async runTask<R>(taskName: string, execute: () => Promise<R>): Promise<R> {
    try {
      return await DBOS.runStep(execute, { name: taskName });
    } catch (error) {
      if (isCancellation(error)) throw new RunCancelRequestedError("task", taskName);
      throw error;
    }
  }
}
