/**
 * C1's sqlblocks side, run as a fresh process: load a saved block from the store in
 * `$SQLBLOCKS_HOME`, fetch one row, print the peak RSS. Everything counts: start-up,
 * imports, decrypting the block, connecting, the statement.
 */
import { SqlConnector } from "@sqlblocks/core";

const [blockName = "c1", sql = "SELECT 1 AS one"] = process.argv.slice(2);
const connector = await SqlConnector.load(blockName);
const row = await connector.fetchOne(sql);
if (!row) throw new Error("cold start fetched nothing");
await connector.close();
process.stdout.write(`${JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS })}\n`);
process.exit(0);
