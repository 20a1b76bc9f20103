import { createHash } from "node:crypto";
import { DBOS, Error as DBOSErrors } from "@dbos-inc/dbos-sdk";
import { RunCancelRequestedError, type RunExecutor } from "@sqlblocks/flow";

/** A UUID-shaped id derived from `seed`: the same seed gives the same id on every replay. */
function derivedId(seed: string): string {
  const hex = createHash("sha256").update(seed).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const errorName = (error: unknown): unknown => (error as { name?: unknown } | null)?.name;

function isCancellation(error: unknown): boolean {
  return error instanceof DBOSErrors.DBOSWorkflowCancelledError || errorName(error) === "DBOSWorkflowCancelledError";
}

/** DBOS could not record a step because the workflow no longer belongs to this execution (cancelled, or resumed elsewhere). */
function isOwnershipLost(error: unknown): boolean {
  return error instanceof DBOSErrors.DBOSWorkflowConflictError || errorName(error) === "DBOSWorkflowConflictError";
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

  readonly #isCancelled: () => Promise<boolean>;

  /**
   * @param isCancelled tells whether the workflow was cancelled (read outside DBOS's step
   *   bookkeeping, so that asking records nothing)
   */
  constructor(workflowId: string, tags: readonly string[], isCancelled: () => Promise<boolean>) {
    this.#workflowId = workflowId;
    this.tags = tags;
    this.#isCancelled = isCancelled;
  }

  nextFlowRunId(): string {
    const n = this.#flows++;
    return n === 0 ? this.#workflowId : derivedId(`${this.#workflowId}/flow/${n}`);
  }

  async runTask<R>(taskName: string, execute: () => Promise<R>): Promise<R> {
    try {
      return await DBOS.runStep(execute, { name: taskName });
    } catch (error) {
      // A cancel request shows up at the next step, or as a lost ownership when the step in
      // flight tries to record its result.
      if (isCancellation(error) || (isOwnershipLost(error) && (await this.#isCancelled().catch(() => false)))) {
        throw new RunCancelRequestedError("task", taskName);
      }
      throw error;
    }
  }
}
