// Bundles the page (web/src → dist/web/app.js) with esbuild and copies index.html and app.css.
// No network, no CDN: everything the page needs ships in dist/web.
import { copyFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const out = path.join(root, "dist", "web");
await mkdir(out, { recursive: true });
await build({
  entryPoints: [path.join(root, "web", "src", "main.ts")],
  outfile: path.join(out, "app.js"),
  bundle: true,
  minify: true,
  format: "iife",
  target: ["chrome110", "firefox110", "safari16"],
  legalComments: "none",
  logLevel: "warning",
});
await copyFile(path.join(root, "web", "index.html"), path.join(out, "index.html"));
await copyFile(path.join(root, "web", "app.css"), path.join(out, "app.css"));
