import type { DataSourceOptions, NativePool } from "@sqlblocks/core/driver";
import pg from "pg";
import { connectPg } from "./connection.js";

/** The PostgreSQL part of TypeORM's options this driver sets (see `createDataSourceOptions`). */
interface PostgresOptions {
  driver?: typeof pg;
  url?: string;
  host?: string;
  port?: number;
  username?: string;
  password?: string | (() => string | Promise<string>);
  database?: string;
  ssl?: unknown;
  applicationName?: string;
  connectTimeoutMS?: number;
  poolSize?: number;
  poolErrorHandler?: (error: unknown) => unknown;
  extra?: Record<string, unknown>;
  replication?: unknown;
}

/**
 * The `pg.Pool` configuration TypeORM's PostgreSQL driver builds from these options
 * (`PostgresDriver.createPool`): the same fields, `extra` merged last. A test compares it
 * with what TypeORM hands to `new Pool()` for every option this driver sets.
 */
export function pgPoolConfig(options: DataSourceOptions): pg.PoolConfig {
  const o = options as unknown as PostgresOptions;
  return {
    connectionString: o.url,
    host: o.host,
    user: o.username,
    password: o.password,
    database: o.database,
    port: o.port,
    ssl: o.ssl as pg.PoolConfig["ssl"],
    connectionTimeoutMillis: o.connectTimeoutMS,
    application_name: o.applicationName,
    max: o.poolSize,
    ...o.extra,
  };
}

/**
 * Opens the pool TypeORM would create from `options`, without loading TypeORM: a process's
 * first statement runs without waiting for TypeORM's modules and its `initialize()` queries.
 * The DataSource created later from {@link NativePool.adoptingOptions} takes this pool: its
 * `driver` is the `pg` module with a `Pool` that hands the open pool over.
 */
export function openPgPool(options: DataSourceOptions): NativePool {
  const o = options as unknown as PostgresOptions;
  if (o.replication !== undefined) throw new Error("internal: a replicated DataSource has more than one pool");
  const module = o.driver ?? pg;
  const pool = new module.Pool(pgPoolConfig(options));
  // As TypeORM does: an idle client's error must not crash the process.
  pool.on("error", o.poolErrorHandler ?? (() => undefined));
  return {
    connect: () => connectPg(pool),
    adoptingOptions() {
      // A constructor that returns an object makes `new` return that object.
      function AdoptedPool(): pg.Pool {
        return pool;
      }
      const adopting = Object.assign(Object.create(module) as typeof pg, { Pool: AdoptedPool });
      // TypeORM attaches its own error handler to the pool it creates; this one is attached already.
      return { ...options, driver: adopting, poolErrorHandler: () => undefined } as DataSourceOptions;
    },
    end: () => (pool.ending ? Promise.resolve() : pool.end()),
  };
}
