/**
 * A private PostgreSQL instance with scram-sha-256 password authentication, for tests that
 * need a server which really checks passwords (the shared one trusts every local login).
 * initdb into a temporary folder, pg_ctl on a free port, as the `postgres` OS user.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A running private server; `stop()` removes it. */
export interface ScramPostgres {
  port: number;
  password: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function binary(name: string): Promise<string | undefined> {
  for (const dir of [...(process.env.PATH ?? "").split(":"), "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin"]) {
    const file = path.join(dir, name);
    if (fs.existsSync(file)) return file;
  }
  return undefined;
}

/** Why a private server cannot be started here, or undefined when it can. */
export async function scramPostgresUnavailable(): Promise<string | undefined> {
  if (!(await binary("initdb")) || !(await binary("pg_ctl"))) return "initdb/pg_ctl are not installed";
  if (process.getuid?.() !== 0) return "starting a private PostgreSQL as the postgres user needs root (runuser)";
  try {
    await run("id", ["postgres"]);
  } catch {
    return "there is no postgres OS user";
  }
  return undefined;
}

/** Starts a private server whose user `postgres` has `password`. */
export async function startScramPostgres(password: string): Promise<ScramPostgres> {
  const initdb = (await binary("initdb"))!;
  const pgCtl = (await binary("pg_ctl"))!;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sqlblocks-scram-pg-"));
  fs.chmodSync(dir, 0o755);
  const data = path.join(dir, "data");
  const pwfile = path.join(dir, "pw");
  fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  await run("chown", ["-R", "postgres", dir]);
  const as = (file: string, args: string[]) => run("runuser", ["-u", "postgres", "--", file, ...args], { timeout: 60_000 });
  await as(initdb, ["-D", data, "-U", "postgres", "-A", "scram-sha-256", `--pwfile=${pwfile}`, "--no-sync"]);
  fs.rmSync(pwfile);
  const port = await freePort();
  await as(pgCtl, [
    "-D",
    data,
    "-l",
    path.join(dir, "log"),
    "-w",
    "-o",
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=16MB -c max_connections=20`,
    "start",
  ]);
  return {
    port,
    password,
    async stop() {
      await as(pgCtl, ["-D", data, "-m", "immediate", "stop"]).catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
