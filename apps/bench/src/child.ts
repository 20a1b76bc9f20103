/**
 * Runs one (workload, variant, database) in this process and prints its measurement and
 * peak RSS as JSON, so each side's memory is measured on its own.
 */
import { type Database, FULL, QUICK, databaseUrl } from "./config.js";
import { type Variant, WORKLOADS } from "./workloads/index.js";

const [id, variant, database, mode, sqliteFile] = process.argv.slice(2) as [string, Variant, Database, string, string];
const workload = WORKLOADS.find((w) => w.id === id);
if (!workload) throw new Error(`unknown workload ${id}`);
const sizes = mode === "full" ? FULL : QUICK;
const measurement = await workload.run(variant, { database, url: databaseUrl(database, sqliteFile), sizes });
process.stdout.write(`${JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, ...measurement })}\n`);
process.exit(0);
