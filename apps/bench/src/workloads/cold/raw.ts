/**
 * C1's raw side, run as a fresh process: import pg, connect, fetch one row, print the peak
 * RSS: the floor a cold sqlblocks process is compared with.
 */
import pg from "pg";

const [connectionString = "", sql = "SELECT 1 AS one"] = process.argv.slice(2);
const client = new pg.Client({ connectionString });
await client.connect();
const { rows } = await client.query(sql);
if (!rows[0]) throw new Error("cold start fetched nothing");
await client.end();
process.stdout.write(`${JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS })}\n`);
process.exit(0);
