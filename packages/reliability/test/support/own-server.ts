import { type ChildProcess, execFile, spawn } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);

/**
 * How a server goes down before it comes back: a clean fast shutdown, an immediate one
 * (PostgreSQL: no checkpoint, crash recovery on start; MariaDB: `innodb_fast_shutdown = 2`,
 * the same), or SIGKILL of the postmaster / mariadbd and everything it started.
 */
export type StopMode = "fast" | "immediate" | "kill";

/** A database server of the tests' own, in a temporary folder, on a free port. */
export interface OwnServer {
  /** A sqlblocks URL that reaches it over TCP. */
  readonly url: string;
  readonly port: number;
  start(): Promise<void>;
  stop(mode: StopMode): Promise<void>;
  /** Stops (as `mode` says) and starts again; resolves once it accepts connections. */
  restart(mode: StopMode): Promise<void>;
  /** Stops it (immediately) and removes its folder. Safe to call twice. */
  destroy(): Promise<void>;
}

/** A TCP port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Last-resort cleanup when the test process exits without its afterAll (a crash, a
 * timeout): SIGKILL what is left and remove the folders. Synchronous, as "exit" requires.
 */
const leftovers = new Map<string, () => number | undefined>();
process.once("exit", () => {
  for (const [dir, pid] of leftovers) {
    const running = pid();
    if (running) killTree(running);
    rmSync(dir, { recursive: true, force: true });
  }
});

/** `uid`/`gid` of a system user, from /etc/passwd. */
function systemUser(name: string): { uid: number; gid: number } {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`no system user ${name}: own-server tests need it`);
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

/** A temporary folder owned by `user`, for a server that runs as that user. */
function serverFolder(prefix: string, user: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `sqlblocks-own-${prefix}-`));
  const { uid, gid } = systemUser(user);
  chownSync(dir, uid, gid);
  chmodSync(dir, 0o700);
  return dir;
}

/** Resolves once a TCP connection to the port is accepted (or throws after `timeoutMs`). */
async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Sends SIGKILL to `pid` and to every process it started (found through /proc). */
function killTree(pid: number): void {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  for (const p of [pid, ...children]) {
    try {
      process.kill(p, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitGone(pids: number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(alive)) {
    if (Date.now() > deadline) throw new Error(`processes ${pids.filter(alive).join(", ")} still alive after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Where Debian keeps the PostgreSQL server binaries (the newest version installed). */
function postgresBin(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) if (existsSync(path.join(root, version, "bin/pg_ctl"))) return path.join(root, version, "bin");
  throw new Error("no PostgreSQL server binaries under /usr/lib/postgresql");
}

/**
 * PostgreSQL of the tests' own: `initdb` into a temporary folder, `pg_ctl` on a free port
 * and a socket in that folder, all run as the `postgres` user. Trust authentication on
 * 127.0.0.1, user `postgres`, database `postgres`.
 */
export class OwnPostgres implements OwnServer {
  readonly dir: string;
  readonly port: number;
  readonly #bin = postgresBin();

  private constructor(dir: string, port: number) {
    this.dir = dir;
    this.port = port;
    leftovers.set(dir, () => this.#postmasterPid());
  }

  get url(): string {
    return `postgresql+pg://postgres${this.#password ? `:${encodeURIComponent(this.#password)}` : ""}@127.0.0.1:${this.port}/postgres`;
  }

  #password: string | undefined;

  get #data(): string {
    return path.join(this.dir, "data");
  }

  /**
   * Creates the cluster and starts it. With `password`, logins over TCP need it
   * (scram-sha-256, for the user `postgres` and every role the test creates); the socket stays trusted.
   */
  static async create(options: { password?: string } = {}): Promise<OwnPostgres> {
    const server = new OwnPostgres(serverFolder("pg", "postgres"), await freePort());
    try {
      let auth = ["--auth=trust"];
      if (options.password) {
        const pwfile = path.join(server.dir, "pwfile");
        writeFileSync(pwfile, options.password, { mode: 0o600 });
        chownSync(pwfile, systemUser("postgres").uid, systemUser("postgres").gid);
        auth = ["--auth-local=trust", "--auth-host=scram-sha-256", `--pwfile=${pwfile}`];
        server.#password = options.password;
      }
      await server.#asPostgres(path.join(server.#bin, "initdb"), ["-D", server.#data, "-U", "postgres", ...auth, "--no-sync", "-E", "UTF8", "--locale=C"]);
      await server.start();
    } catch (error) {
      await server.destroy();
      throw error;
    }
    return server;
  }

  async #asPostgres(command: string, args: string[]): Promise<string> {
    const { stdout } = await exec("runuser", ["-u", "postgres", "--", command, ...args], { maxBuffer: 1 << 22 });
    return stdout;
  }

  async start(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
    await this.#asPostgres(path.join(this.#bin, "pg_ctl"), ["-D", this.#data, "-o", options, "-l", path.join(this.dir, "server.log"), "-w", "-t", "60", "start"]);
    await waitForPort(this.port, 30_000);
  }

  /** The postmaster's pid (first line of postmaster.pid), if it runs. */
  #postmasterPid(): number | undefined {
    try {
      return Number(readFileSync(path.join(this.#data, "postmaster.pid"), "utf8").split("\n")[0]);
    } catch {
      return undefined;
    }
  }

  async stop(mode: StopMode): Promise<void> {
    if (mode === "kill") {
      const pid = this.#postmasterPid();
      if (pid === undefined) return;
      killTree(pid);
      await waitGone([pid], 10_000);
      return;
    }
    await this.#asPostgres(path.join(this.#bin, "pg_ctl"), ["-D", this.#data, "-m", mode, "-w", "-t", "60", "stop"]);
  }

  async restart(mode: StopMode): Promise<void> {
    await this.stop(mode);
    await this.start();
  }

  async destroy(): Promise<void> {
    if (existsSync(this.#data)) await this.stop("immediate").catch(() => this.stop("kill").catch(() => undefined));
    rmSync(this.dir, { recursive: true, force: true });
    leftovers.delete(this.dir);
  }
}

/**
 * MariaDB of the tests' own: `mariadb-install-db` into a temporary folder, then
 * `mariadbd --user=mysql` on a free port and a socket in that folder. User `root` without a
 * password from 127.0.0.1, database `test`.
 */
export class OwnMariaDB implements OwnServer {
  readonly dir: string;
  readonly port: number;
  #process: ChildProcess | undefined;

  private constructor(dir: string, port: number) {
    this.dir = dir;
    this.port = port;
    leftovers.set(dir, () => this.#process?.pid);
  }

  get url(): string {
    return `mariadb+mysql2://root@127.0.0.1:${this.port}/test`;
  }

  get socket(): string {
    return path.join(this.dir, "mariadb.sock");
  }

  static async create(): Promise<OwnMariaDB> {
    const server = new OwnMariaDB(serverFolder("mariadb", "mysql"), await freePort());
    try {
      await exec(
        "mariadb-install-db",
        ["--no-defaults", `--datadir=${path.join(server.dir, "data")}`, "--user=mysql", "--auth-root-authentication-method=normal", "--skip-test-db"],
        { maxBuffer: 1 << 22 },
      );
      await server.start();
      const mysql = (await import("mysql2/promise")).default;
      const admin = await mysql.createConnection({ socketPath: server.socket, user: "root" });
      try {
        await admin.query("CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'");
        await admin.query("GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION");
        await admin.query("CREATE DATABASE IF NOT EXISTS test");
      } finally {
        await admin.end();
      }
    } catch (error) {
      await server.destroy();
      throw error;
    }
    return server;
  }

  async start(): Promise<void> {
    const child = spawn(
      "/usr/sbin/mariadbd",
      [
        "--no-defaults",
        `--datadir=${path.join(this.dir, "data")}`,
        `--port=${this.port}`,
        `--socket=${this.socket}`,
        "--bind-address=127.0.0.1",
        "--user=mysql",
        `--pid-file=${path.join(this.dir, "mariadbd.pid")}`,
        `--log-error=${path.join(this.dir, "error.log")}`,
        "--skip-name-resolve",
        "--innodb-buffer-pool-size=32M",
        "--innodb-log-file-size=16M",
        "--max-connections=60",
      ],
      { stdio: "ignore" },
    );
    child.on("error", () => undefined);
    this.#process = child;
    const exited = new Promise<never>((_, reject) => child.once("exit", (code) => reject(new Error(`mariadbd exited (${code}); see ${this.dir}/error.log`))));
    exited.catch(() => undefined);
    await Promise.race([waitForPort(this.port, 60_000), exited]);
  }

  async stop(mode: StopMode): Promise<void> {
    const child = this.#process;
    if (!child?.pid || child.exitCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    if (mode === "kill") {
      child.kill("SIGKILL");
    } else {
      if (mode === "immediate") {
        const mysql = (await import("mysql2/promise")).default;
        const admin = await mysql.createConnection({ socketPath: this.socket, user: "root" });
        await admin.query("SET GLOBAL innodb_fast_shutdown = 2").finally(() => admin.end());
      }
      child.kill("SIGTERM");
    }
    await gone;
    this.#process = undefined;
  }

  async restart(mode: StopMode): Promise<void> {
    await this.stop(mode);
    await this.start();
  }

  async destroy(): Promise<void> {
    await this.stop("kill").catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
    leftovers.delete(this.dir);
  }
}
