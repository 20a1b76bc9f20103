/**
 * `node dist/results.js [results.json] [RESULTS.md]`
 *
 * Regenerates RESULTS.md from a results file the runner wrote, without measuring again.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { readReport, renderMarkdown } from "./report.js";

const [input = "results.json", output = "RESULTS.md"] = process.argv.slice(2);
writeFileSync(output, renderMarkdown(readReport(input), path.basename(input)));
console.log(`${output} written from ${input}`);
