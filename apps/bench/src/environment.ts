import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import SQLite from "better-sqlite3";
import { type Database, databaseUrl } from "./config.js";
import { mysqlPool, pgPool } from "./native.js";

/** Where and with what a benchmark ran: stored in results.json and printed in RESULTS.md. */
export interface Environment {
  /** `git rev-parse HEAD`, with `dirty: true` when the work tree had uncommitted changes. */
  commit: { sha: string; dirty: boolean } | null;
  /** One line: CPUs, memory, operating system. */
  machine: string;
  /** Node, the drivers, TypeORM and the database servers. */
  versions: Record<string, string>;
}

function git(args: string[]): string | null {
  try {
    return execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return null;
  }
}

function osName(): string {
  try {
    const release = readFileSync("/etc/os-release", "utf8");
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(release)?.[1] ?? `${os.type()} ${os.release()}`;
  } catch {
    return `${os.type()} ${os.release()}`;
  }
}

/** The installed version of a dependency of this package. */
function packageVersion(name: string): string {
  const require = createRequire(import.meta.url);
  try {
    const json = require(`${name}/package.json`) as { version?: string };
    return json.version ?? "?";
  } catch {
    // Packages whose exports hide package.json: walk up from the entry point.
    try {
      let dir = require.resolve(name);
      for (let i = 0; i < 6; i++) {
        dir = dir.slice(0, dir.lastIndexOf("/"));
        try {
          const json = JSON.parse(readFileSync(`${dir}/package.json`, "utf8")) as { name?: string; version?: string };
          if (json.name === name) return json.version ?? "?";
        } catch {}
      }
    } catch {}
    return "?";
  }
}

async function serverVersion(database: Database): Promise<string> {
  try {
    if (database === "postgres") {
      const pool = pgPool(databaseUrl("postgres", ""), 1);
      try {
        return String((await pool.query("SHOW server_version")).rows[0]?.server_version);
      } finally {
        await pool.end();
      }
    }
    if (database === "mariadb") {
      const pool = mysqlPool(databaseUrl("mariadb", ""), 1);
      try {
        const [rows] = await pool.query("SELECT VERSION() AS v");
        return String((rows as { v: string }[])[0]?.v);
      } finally {
        await pool.end();
      }
    }
    const db = new SQLite(":memory:");
    try {
      return String((db.prepare("SELECT sqlite_version() AS v").get() as { v: string }).v);
    } finally {
      db.close();
    }
  } catch (error) {
    return `unreachable (${(error as Error).message.split("\n")[0]})`;
  }
}

/** Collects the commit, the machine line and the versions of everything measured. */
export async function describeEnvironment(databases: readonly Database[]): Promise<Environment> {
  const sha = git(["rev-parse", "HEAD"]);
  const status = git(["status", "--porcelain", "--untracked-files=no"]);
  const cpus = os.cpus();
  const machine = `${cpus.length} × ${cpus[0]?.model.trim() ?? "CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${osName()}`;
  const versions: Record<string, string> = { node: process.version };
  for (const name of ["typeorm", "pg", "pg-cursor", "mysql2", "better-sqlite3"]) versions[name] = packageVersion(name);
  const labels: Record<Database, string> = { postgres: "PostgreSQL", mariadb: "MariaDB", sqlite: "SQLite" };
  for (const database of databases) versions[labels[database]] = await serverVersion(database);
  return { commit: sha ? { sha, dirty: Boolean(status) } : null, machine, versions };
}
