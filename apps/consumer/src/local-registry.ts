import { createHash } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Tarball } from "./release.js";
import { run } from "./run.js";

/**
 * A package registry on 127.0.0.1 that serves the packed packages, as they would be served
 * once published, and passes every other request through to the public registry. It stands
 * in for publishing (the packages are not on the public registry) with nothing to install.
 * It also serves better-sqlite3's prebuilt binaries under `/-/prebuilds/` (see prebuilds.ts).
 */
export interface LocalRegistry {
  url: string;
  stop(): Promise<void>;
}

const UPSTREAM = "https://registry.npmjs.org";

interface Served {
  tarball: Tarball;
  manifest: Record<string, unknown> & { name: string; version: string };
  integrity: string;
  shasum: string;
}

async function describe(tarball: Tarball, work: string): Promise<Served> {
  const text = (await run("tar", ["-xzOf", tarball.file, "package/package.json"], { cwd: work })).stdout;
  const bytes = fs.readFileSync(tarball.file);
  return {
    tarball,
    manifest: JSON.parse(text) as Served["manifest"],
    integrity: `sha512-${createHash("sha512").update(bytes).digest("base64")}`,
    shasum: createHash("sha1").update(bytes).digest("hex"),
  };
}

function packument(served: Served, url: string): unknown {
  const { manifest } = served;
  const version = {
    ...manifest,
    _id: `${manifest.name}@${manifest.version}`,
    dist: { tarball: `${url}/-/tarballs/${path.basename(served.tarball.file)}`, integrity: served.integrity, shasum: served.shasum },
  };
  return { name: manifest.name, "dist-tags": { latest: manifest.version }, versions: { [manifest.version]: version } };
}

async function passThrough(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  const upstream = await fetch(`${UPSTREAM}${request.url}`, {
    headers: { accept: request.headers.accept ?? "application/json" },
    redirect: "follow",
  });
  const headers: Record<string, string> = {};
  upstream.headers.forEach((value, key) => {
    if (!["content-encoding", "content-length", "transfer-encoding", "connection"].includes(key)) headers[key] = value;
  });
  const body = Buffer.from(await upstream.arrayBuffer());
  response.writeHead(upstream.status, { ...headers, "content-length": String(body.length) });
  response.end(body);
}

/** Starts the registry with `tarballs` published to it. */
export async function startLocalRegistry(tarballs: readonly Tarball[], work: string, prebuilds: string): Promise<LocalRegistry> {
  const served = new Map<string, Served>();
  for (const tarball of tarballs) {
    const entry = await describe(tarball, work);
    served.set(entry.manifest.name, entry);
  }
  const byFile = new Map([...served.values()].map((s) => [path.basename(s.tarball.file), s]));
  let url = "";
  const server = http.createServer((request, response) => {
    const pathname = decodeURIComponent((request.url ?? "/").split("?")[0] as string);
    const own = served.get(pathname.slice(1));
    if (own && request.method === "GET") {
      const body = JSON.stringify(packument(own, url));
      response.writeHead(200, { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) });
      response.end(body);
      return;
    }
    if (pathname.startsWith("/-/prebuilds/")) {
      const local = path.join(prebuilds, path.normalize(pathname.slice("/-/prebuilds/".length)).replace(/^(\.\.[/\\])+/, ""));
      if (fs.existsSync(local) && fs.statSync(local).isFile()) {
        const bytes = fs.readFileSync(local);
        response.writeHead(200, { "content-type": "application/gzip", "content-length": String(bytes.length) });
        response.end(bytes);
      } else {
        response.writeHead(404).end();
      }
      return;
    }
    const file = pathname.startsWith("/-/tarballs/") ? byFile.get(pathname.slice("/-/tarballs/".length)) : undefined;
    if (file) {
      const bytes = fs.readFileSync(file.tarball.file);
      response.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(bytes.length) });
      response.end(bytes);
      return;
    }
    passThrough(request, response).catch((error: Error) => {
      if (!response.headersSent) response.writeHead(502, { "content-type": "text/plain" });
      response.end(`upstream failed: ${error.message}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
