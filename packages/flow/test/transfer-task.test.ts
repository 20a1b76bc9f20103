import path from "node:path";
import { SqlConnector } from "@sqlblocks/core";
import { describe, expect, it } from "vitest";
import { flow, RunState, transferTask } from "../src/index.js";
import { captureConsole, history, useTempHome } from "./helpers.js";

const home = useTempHome("transfer-task");
captureConsole();

describe("transferTask", () => {
  it("copies rows between two blocks inside a flow, logs progress, and records a task run", async () => {
    await new SqlConnector({ connectionInfo: `sqlite+better-sqlite3:///${path.join(home, "a.db")}` }).save("tt-source");
    await new SqlConnector({ connectionInfo: `sqlite+better-sqlite3:///${path.join(home, "b.db")}` }).save("tt-target");
    {
      await using a = await SqlConnector.load("tt-source");
      await a.execute("CREATE TABLE events (id INTEGER, kind TEXT)");
      await a.executeMany(
        "INSERT INTO events (id, kind) VALUES (:id, :kind)",
        Array.from({ length: 1_200 }, (_, i) => ({ id: i, kind: i % 2 ? "odd" : "even" })),
      );
      await using b = await SqlConnector.load("tt-target");
      await b.execute("CREATE TABLE events_copy (id INTEGER, kind TEXT)");
    }
    const result = await flow("copy-events", () =>
      transferTask({
        from: "tt-source",
        query: "SELECT id, kind FROM events WHERE kind = :kind",
        params: { kind: "odd" },
        to: "tt-target",
        table: "events_copy",
        batchSize: 250,
      }),
    )();
    expect(result).toEqual({ rows: 600, batches: 3, columns: ["id", "kind"] });
    await using b = await SqlConnector.load("tt-target");
    expect(await b.fetchOne("SELECT count(*) AS n, min(kind) AS k FROM events_copy")).toEqual({ n: 600, k: "odd" });

    const store = await history();
    const [run] = await store.listFlowRuns({ name: "copy-events" });
    expect(run!.state).toBe(RunState.COMPLETED);
    const [taskRun] = await store.listTaskRuns(run!.id);
    expect(taskRun!.name).toBe("transfer");
    const messages = (await store.logs(run!.id)).map((l) => l.message);
    expect(messages).toContain("transferred 500 rows in 2 batches into events_copy");
    expect(messages).toContain("transfer done: 600 rows from tt-source into tt-target.events_copy");
  });
});
