import type { Command } from "commander";
import type { DurableClient } from "@sqlblocks/dbos";
import { recordValue } from "@sqlblocks/flow";
import { loadDurable } from "../durable-loader.js";
import { CommandError, UsageError } from "../errors.js";
import { errorLine, formatTime, json, table } from "../format.js";
import type { CliIo } from "../io.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Opens a client; configuration errors (no PostgreSQL URL) are usage errors. */
async function openClient(command: string): Promise<DurableClient> {
  const durable = await loadDurable(command);
  let config: ReturnType<typeof durable.resolveDurableConfig>;
  try {
    config = durable.resolveDurableConfig();
  } catch (error) {
    throw new UsageError(errorLine(error));
  }
  return durable.DurableClient.open(config);
}

async function withClient<R>(command: string, use: (client: DurableClient) => Promise<R>): Promise<R> {
  const client = await openClient(command);
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

/** Runs a worker until SIGINT or SIGTERM. */
export async function workerCommand(io: CliIo, modulePath: string, options: { id?: string }): Promise<void> {
  const durable = await loadDurable("worker");
  try {
    durable.resolveDurableConfig();
  } catch (error) {
    throw new UsageError(errorLine(error));
  }
  const worker = await durable.startWorker({ module: modulePath, id: options.id, log: (line) => io.err(line) });
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      io.err(`worker ${worker.id}: ${signal} received, stopping (unfinished runs resume when a worker with this id starts again, or are taken over)`);
      worker.stop().then(resolve, resolve);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

export async function deploymentsList(io: CliIo, options: { json?: boolean }): Promise<void> {
  await withClient("deployments ls", async (client) => {
    const [deployments, workers] = await Promise.all([client.listDeployments(), client.listWorkers()]);
    if (options.json) {
      // Defaults are declared in code, but shown like every recorded value: redacted.
      io.out(json({ deployments: deployments.map((d) => ({ ...d, parameters: JSON.parse(recordValue(d.parameters) ?? "{}") as unknown })), workers }));
      return;
    }
    if (deployments.length === 0) {
      io.out("No deployments yet: start a worker with sqlblocks worker <module>.");
      return;
    }
    const alive = (id: string) => workers.some((w) => w.id === id && !w.stoppedAt && !w.takenOverBy);
    io.out(
      table(
        ["NAME", "FLOW", "QUEUE", "CONCURRENCY", "CRON", "PARAMETERS", "WORKERS"],
        deployments.map((d) => [
          d.name,
          d.flow,
          d.queue,
          `${d.workerConcurrency ?? "-"}/worker${d.globalConcurrency ? `, ${d.globalConcurrency} in all` : ""}`,
          d.cron ?? "-",
          recordValue(d.parameters) ?? "{}",
          workers
            .filter((w) => w.deployments.includes(d.name) && alive(w.id))
            .map((w) => w.id)
            .join(", ") || "-",
        ]),
      ),
    );
    io.out(`\n${workers.length} worker(s): ${workers.map((w) => `${w.id} (${w.stoppedAt ? "stopped" : `last seen ${formatTime(w.heartbeatAt)}`})`).join(", ")}`);
  });
}

export async function runCommand(io: CliIo, name: string, options: { param?: string[]; wait?: boolean; json?: boolean }): Promise<void> {
  const durable = await loadDurable("run");
  let parameters: Record<string, unknown>;
  try {
    parameters = durable.parseParameters(options.param ?? []);
  } catch (error) {
    throw new UsageError(errorLine(error));
  }
  await withClient("run", async (client) => {
    const runId = await client.enqueue(name, parameters);
    if (!options.wait) {
      io.out(options.json ? json({ runId }) : runId);
      return;
    }
    if (!options.json) io.out(runId);
    const outcome = await client.waitForResult(runId);
    if (options.json) io.out(json({ runId, ...outcome }));
    else if (outcome.state === "COMPLETED") io.out(json(outcome.result) ?? "undefined");
    if (outcome.state !== "COMPLETED") throw new CommandError(`run ${runId} ended ${outcome.state}: ${outcome.error}`);
  });
}

export async function runsCancel(io: CliIo, id: string): Promise<void> {
  await withClient("runs cancel", async (client) => {
    const runId = await client.cancel(id);
    io.out(`Cancelled run ${runId}: it ends CANCELLED and its tasks that have not started never start.`);
  });
}

export async function runsResume(io: CliIo, id: string): Promise<void> {
  await withClient("runs resume", async (client) => {
    const runId = await client.resume(id);
    io.out(`Resumed run ${runId}: it is queued again and continues after its last completed task.`);
  });
}

/**
 * Adds `worker`, `deployments ls`, `run` and `runs cancel|resume`. They load
 * `@sqlblocks/dbos` when used, so the CLI needs it only for durable runs.
 */
export function registerDurableCommands(program: Command, io: CliIo): void {
  program
    .command("worker")
    .description("run a worker for the deployments a module exports (needs @sqlblocks/dbos and SQLBLOCKS_STORE_URL on PostgreSQL)")
    .argument("<module>", "a JavaScript module that exports deployment(...) values")
    .option("--id <id>", "a stable worker id; a restarted worker resumes its own unfinished runs (default: $SQLBLOCKS_WORKER_ID, else the host name)")
    .action((modulePath: string, options: { id?: string }) => workerCommand(io, modulePath, options));

  program
    .command("deployments")
    .description("list deployments registered by workers")
    .command("ls")
    .description("list deployments and the workers that serve them")
    .option("--json", "print JSON")
    .action((options: { json?: boolean }) => deploymentsList(io, options));

  program
    .command("run")
    .description("enqueue a run of a deployment and print its id")
    .argument("<deployment>", "the deployment name")
    .option("--param <key=value>", "a parameter over the deployment's defaults (JSON value, else a string); repeat for more", collect)
    .option("--wait", "wait for the run to end: print its result, exit 1 unless it COMPLETED")
    .option("--json", "print JSON")
    .action((name: string, options: { param?: string[]; wait?: boolean; json?: boolean }) => runCommand(io, name, options));

  const runs = program.commands.find((command) => command.name() === "runs") ?? program.command("runs");
  runs
    .command("cancel")
    .description("cancel a durable run (enqueued with sqlblocks run)")
    .argument("<id>", "the run id (or a unique prefix of it)")
    .action((id: string) => runsCancel(io, id));
  runs
    .command("resume")
    .description("resume a cancelled or stuck durable run after its last completed task")
    .argument("<id>", "the run id (or a unique prefix of it)")
    .action((id: string) => runsResume(io, id));
}
