/**
 * `node dist/index.js [--full] [--only W1,W3] [--db postgres,sqlite]`
 *
 * Runs the benchmarks of SPEC §9 and prints a markdown table. The quick mode (default)
 * uses tiny sizes and is a smoke test; `--full` is the real run recorded in RESULTS.md.
 */
import os from "node:os";
import { parseArgs } from "node:util";
import type { Database } from "./config.js";
import { runBenchmarks, TABLE_HEADER } from "./runner.js";

const { values } = parseArgs({
  options: {
    full: { type: "boolean", default: false },
    only: { type: "string" },
    db: { type: "string" },
  },
});

const mode = values.full ? "full" : "quick";
console.log(`sqlblocks benchmarks (${mode}) — node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB\n`);
console.log(TABLE_HEADER);
const rows = await runBenchmarks({
  mode,
  only: values.only?.split(","),
  databases: values.db?.split(",") as Database[] | undefined,
  log: (line) => console.log(line),
});
const missed = rows.filter((row) => !row.met).length;
console.log(`\n${rows.length - missed} targets met, ${missed} missed`);
