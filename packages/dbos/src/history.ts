import { getDefaultStore } from "@sqlblocks/core";
import { type FlowRunRecord, RunHistory, RunState, recordValue } from "@sqlblocks/flow";

async function history(): Promise<RunHistory> {
  return new RunHistory((await getDefaultStore()).db);
}

/**
 * Before a durable flow run (re)starts on a worker: its task runs still PENDING or
 * RUNNING belong to an execution that died (a killed worker), so they are marked
 * CRASHED. Their steps never completed, so the resumed flow runs them again as new
 * task runs. Goes through the public run-history API.
 */
export async function settleInterruptedTasks(flowRunId: string, workerId: string): Promise<number> {
  const runs = await history();
  const open = (await runs.listTaskRuns(flowRunId)).filter((t) => t.state === RunState.PENDING || t.state === RunState.RUNNING);
  if (open.length === 0) return 0;
  const now = new Date().toISOString();
  await runs.write({
    taskRuns: open.map((t) => ({
      ...t,
      state: RunState.CRASHED,
      endedAt: now,
      error: `the worker running it stopped before it finished; the flow run resumed on worker ${workerId}`,
    })),
  });
  return open.length;
}

/**
 * Records a run enqueued for a deployment as a PENDING flow run, so that `runs ls` shows it,
 * with the parameters it will run with (the deployment's defaults under the given ones),
 * redacted like every recorded value; the worker records the same when the flow starts.
 */
export async function recordQueuedRun(runId: string, flowName: string, deploymentName: string, parameters?: Record<string, unknown>): Promise<void> {
  const record: FlowRunRecord = {
    id: runId,
    name: flowName,
    state: RunState.PENDING,
    tags: [`deployment:${deploymentName}`],
    attempts: 0,
    error: undefined,
    createdAt: new Date().toISOString(),
    startedAt: undefined,
    endedAt: undefined,
    pid: undefined,
    hostname: undefined,
    parameters: parameters === undefined ? undefined : recordValue(parameters),
  };
  await (await history()).write({ flowRuns: [record] });
}

/** Marks a durable flow run CANCELLED in the history when it is not final yet (e.g. still queued). */
export async function recordCancelledRun(runId: string): Promise<void> {
  const runs = await history();
  const run = await runs.getFlowRun(runId);
  if (!run || run.state === RunState.COMPLETED || run.state === RunState.FAILED || run.state === RunState.CANCELLED) return;
  await runs.write({
    flowRuns: [{ ...run, state: RunState.CANCELLED, endedAt: new Date().toISOString(), error: "cancelled on request (sqlblocks runs cancel, the web page or DurableClient.cancel)" }],
  });
}

/** Whether the history knows this flow run (to tell in-process runs from unknown ids). */
export async function findFlowRun(idOrPrefix: string): Promise<FlowRunRecord | undefined> {
  const runs = await history();
  const exact = await runs.getFlowRun(idOrPrefix);
  if (exact) return exact;
  if (idOrPrefix.length < 4) return undefined;
  const matches = await runs.findFlowRuns(idOrPrefix, 2);
  return matches.length === 1 ? matches[0] : undefined;
}
