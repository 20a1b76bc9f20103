// What PostgreSQL and DBOS cost on this machine, without sqlblocks: a committed insert, a
// point query, a 4-statement transaction like DBOS's checkpoint, and a bare DBOS step
// (DBOS.runStep around one point query). Medians of N (default 200).
// Usage: SQLBLOCKS_TEST_PG_URL=postgresql://…/db node scripts/durable-bare-costs.mjs [N]
import { DBOS } from "@dbos-inc/dbos-sdk";
import pg from "pg";

const n = Number(process.argv[2] ?? 200);
const database = new URL(process.env.SQLBLOCKS_TEST_PG_URL.replace(/^postgres(ql)?(\+[a-z0-9_]+)?:/i, "postgresql:"));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const timeEach = async (fn) => {
  const times = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await fn(i);
    times.push(performance.now() - started);
  }
  return median(times).toFixed(3);
};

const client = new pg.Client(database.href);
await client.connect();
await client.query("CREATE TABLE bare_costs_insert (id serial PRIMARY KEY, v text)");
await client.query("CREATE TABLE bare_costs_points (id int PRIMARY KEY, v text)");
await client.query("INSERT INTO bare_costs_points SELECT g, 'v' || g FROM generate_series(1, 1000) g");
const systemUrl = new URL(database.href);
systemUrl.pathname = `/bare_costs_dbos_${process.pid}`;
try {
  const insert = await timeEach(() => client.query("INSERT INTO bare_costs_insert (v) VALUES ($1)", ["x"]));
  const point = await timeEach((i) => client.query("SELECT v FROM bare_costs_points WHERE id = $1", [(i % 1000) + 1]));
  const checkpoint = await timeEach(async () => {
    await client.query("BEGIN ISOLATION LEVEL READ COMMITTED");
    await client.query("SELECT v FROM bare_costs_points WHERE id = 1 FOR NO KEY UPDATE");
    await client.query("INSERT INTO bare_costs_insert (v) VALUES ($1)", ["x"]);
    await client.query("COMMIT");
  });
  console.log(`committed insert ${insert} ms, point query ${point} ms, 4-statement transaction ${checkpoint} ms (medians of ${n})`);

  DBOS.setConfig({ name: "bare_costs", systemDatabaseUrl: systemUrl.href, logLevel: "warn" });
  const steps = [];
  const workflow = DBOS.registerWorkflow(
    async (count) => {
      for (let i = 0; i < count; i++) {
        const started = performance.now();
        await DBOS.runStep(async () => (await client.query("SELECT v FROM bare_costs_points WHERE id = $1", [(i % 1000) + 1])).rows.length, { name: "point" });
        steps.push(performance.now() - started);
      }
    },
    { name: "bare_costs" },
  );
  await DBOS.launch();
  await (await DBOS.startWorkflow(workflow)(5)).getResult();
  steps.length = 0;
  const started = performance.now();
  await (await DBOS.startWorkflow(workflow)(n)).getResult();
  const mean = (performance.now() - started) / n;
  console.log(`bare DBOS step around one point query: median ${median(steps).toFixed(3)} ms, mean ${mean.toFixed(3)} ms with the workflow's start and end`);
  await DBOS.shutdown();
} finally {
  await client.query("DROP TABLE IF EXISTS bare_costs_insert, bare_costs_points");
  await client.query(`DROP DATABASE IF EXISTS ${systemUrl.pathname.slice(1)} WITH (FORCE)`);
  await client.end();
}
