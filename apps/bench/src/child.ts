/**
 * Runs one (workload, variant, database) in this process and prints its measurement and
 * peak RSS as JSON, so each side's memory is measured on its own. Only the workload's own
 * module is imported (see workloads/modules.ts): the peak RSS is that side's, not the harness's.
 */
import { type Database, FULL, QUICK, databaseUrl } from "./config.js";
import { loadWorkload } from "./workloads/modules.js";
import type { Variant } from "./workloads/types.js";

const [id = "", variant, database, mode, sqliteFile] = process.argv.slice(2) as [string, Variant, Database, string, string];
const workload = await loadWorkload(id);
const sizes = mode === "full" ? FULL : QUICK;
const measurement = await workload.run(variant, { database, url: databaseUrl(database, sqliteFile), sizes });
process.stdout.write(`${JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, ...measurement })}\n`);
process.exit(0);
