import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** One built front-end file, kept in memory. */
export interface Asset {
  body: Buffer;
  type: string;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

/** Where the built page lives: `dist/web` beside this module (or beside `src` when run from source). */
export function webRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, "web"), path.join(here, "..", "dist", "web")];
  const found = candidates.find((dir) => existsSync(path.join(dir, "index.html")));
  if (!found) {
    throw new Error(`the built page of @sqlblocks/ui is missing (looked in ${candidates.join(", ")}): run its build`);
  }
  return found;
}

/** Reads the built page (index.html, app.js, app.css) once; the server serves it from memory. */
export function loadAssets(root: string = webRoot()): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const file of ["index.html", "app.js", "app.css"]) {
    assets.set(`/${file}`, { body: readFileSync(path.join(root, file)), type: TYPES[path.extname(file)] ?? "application/octet-stream" });
  }
  return assets;
}
