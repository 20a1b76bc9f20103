import {
  type ConnectionSettings,
  InvalidConnectionInfoError,
  mergeOptions,
  normalizeQueryKey,
  parseBoolean,
  parseInteger,
  revealSecret,
} from "@sqlblocks/core/driver";
import oracledb from "oracledb";
import type { DataSourceOptions } from "@sqlblocks/core/driver";

/** The Oracle listener's default port. */
export const DEFAULT_PORT = 1521;
/** oracledb's default is 4 connections; sqlblocks' other drivers pool 10. */
const DEFAULT_POOL_MAX = 10;

/** Where the connection goes, before it becomes a connect string. */
interface Target {
  connectString?: string;
  serviceName?: string;
  sid?: string;
  protocol?: "TCP" | "TCPS";
}

type FromQuery = (target: Target, attributes: Record<string, unknown>, key: string, value: string) => void;

const QUERY_OPTIONS: Readonly<Record<string, FromQuery>> = {
  servicename: (target, _attributes, _key, value) => {
    target.serviceName = value;
  },
  sid: (target, _attributes, _key, value) => {
    target.sid = value;
  },
  connectstring: (target, _attributes, _key, value) => {
    target.connectString = value;
  },
  dsn: (target, _attributes, _key, value) => {
    target.connectString = value;
  },
  protocol: (target, _attributes, key, value) => {
    const protocol = value.trim().toUpperCase();
    if (protocol !== "TCP" && protocol !== "TCPS") {
      throw new InvalidConnectionInfoError(`URL query parameter ${key}=${JSON.stringify(value)} must be tcp or tcps`);
    }
    target.protocol = protocol;
  },
  sslserverdnmatch: (_target, attributes, key, value) => {
    attributes.sslServerDNMatch = parseBoolean(key, value);
  },
  sslservercertdn: (_target, attributes, _key, value) => {
    attributes.sslServerCertDN = value;
  },
  walletlocation: (_target, attributes, _key, value) => {
    attributes.walletLocation = value;
  },
  configdir: (_target, attributes, _key, value) => {
    attributes.configDir = value;
  },
  expiretime: (_target, attributes, key, value) => {
    attributes.expireTime = parseInteger(key, value);
  },
  retrycount: (_target, attributes, key, value) => {
    attributes.retryCount = parseInteger(key, value);
  },
  retrydelay: (_target, attributes, key, value) => {
    attributes.retryDelay = parseInteger(key, value);
  },
  tcpconnecttimeout: (_target, attributes, key, value) => {
    attributes.transportConnectTimeout = parseInteger(key, value);
  },
  stmtcachesize: (_target, attributes, key, value) => {
    attributes.stmtCacheSize = parseInteger(key, value);
  },
  edition: (_target, attributes, _key, value) => {
    attributes.edition = value;
  },
};

/** cx_Oracle / python-oracledb URL keys that mean nothing in node-oracledb thin mode. */
const IGNORED_PYTHON_KEYS = new Set(["encoding", "nencoding", "threaded", "events", "arraysize", "autocommit"]);

/** Characters that would let a value add clauses to a connect descriptor. */
const DESCRIPTOR_SYNTAX = /[()=]/;

function descriptorValue(what: string, value: string): string {
  if (DESCRIPTOR_SYNTAX.test(value) || value.trim() === "") {
    throw new InvalidConnectionInfoError(`the Oracle ${what} ${JSON.stringify(value)} must not be empty or contain "(", ")" or "="`);
  }
  return value;
}

/**
 * The node-oracledb pool attributes for the settings: the native options, before TypeORM
 * sees them. Thin mode only: nothing here loads Oracle Client libraries.
 *
 * Where the connection goes:
 * - `?connect_string=` (or `?dsn=`): used as given (an Easy Connect string, a descriptor or a tnsnames alias);
 * - else a host: a descriptor for `host:port` and the service name (the URL path, or `?service_name=`)
 *   or the SID (`?sid=`);
 * - else the URL path alone, as a connect string (a tnsnames alias with `?config_dir=`, or Easy Connect).
 *
 * Order of precedence, lowest first: defaults, the URL query, `ssl`, `pool` and
 * `connectTimeoutMs`, then `connectArgs` (any pool attribute).
 *
 * @example
 * createOracleAttributes({ components: parseConnectionUrl("oracle+cx_oracle://scott:tiger@db:1521/?service_name=XE") })
 * // { user: "scott", password: "tiger", poolMax: 10, poolMin: 0, poolIncrement: 1,
 * //   connectString: "(DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=db)(PORT=1521))(CONNECT_DATA=(SERVICE_NAME=XE)))" }
 */
export function createOracleAttributes(settings: ConnectionSettings): oracledb.PoolAttributes {
  const { components } = settings;
  const target: Target = {};
  const attributes: Record<string, unknown> = {
    poolMax: DEFAULT_POOL_MAX,
    poolMin: 0,
    poolIncrement: 1,
  };
  if (components.username !== undefined) attributes.user = components.username;
  const password = revealSecret(components.password);
  if (password !== undefined) attributes.password = password;

  applyQuery(components.query, target, attributes);
  applySsl(settings.ssl, target, attributes);
  attributes.connectString = connectString(settings, target);
  if (settings.connectTimeoutMs !== undefined) {
    // node-oracledb counts this one in seconds.
    attributes.connectTimeout = Math.max(1, Math.ceil(settings.connectTimeoutMs / 1000));
  }
  applyPool(settings.pool, attributes);

  return mergeOptions(attributes, settings.connectArgs, []) as oracledb.PoolAttributes;
}

/**
 * Maps connector settings to TypeORM's Oracle options. The oracledb module is handed to
 * TypeORM through `driver`, so TypeORM never looks it up by name (and never calls
 * `initOracleClient`: `thickMode` is not set); the pool attributes go in `extra`, which
 * TypeORM applies last.
 */
export function createDataSourceOptions(settings: ConnectionSettings): DataSourceOptions {
  const attributes = createOracleAttributes(settings);
  return {
    type: "oracle",
    driver: oracledb,
    // Informational for TypeORM; the password lives only in `extra`.
    connectString: attributes.connectString,
    username: attributes.user,
    extra: attributes,
  } as DataSourceOptions;
}

function applyQuery(query: Record<string, string> | undefined, target: Target, attributes: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(query ?? {})) {
    const normalized = normalizeQueryKey(key);
    const apply = QUERY_OPTIONS[normalized];
    if (apply) apply(target, attributes, key, value);
    else if (!IGNORED_PYTHON_KEYS.has(normalized)) {
      throw new InvalidConnectionInfoError(
        `unknown URL query parameter "${key}" for Oracle: supported are service_name, sid, connect_string (or dsn), ` +
          "protocol, ssl_server_dn_match, ssl_server_cert_dn, wallet_location, config_dir, expire_time, retry_count, " +
          "retry_delay, tcp_connect_timeout, stmtcachesize and edition; pass any other pool attribute in connectArgs",
      );
    }
  }
}

/**
 * `ssl: true` (or an object) connects over TCPS. node-oracledb's thin mode always verifies
 * the server's certificate chain; `rejectUnauthorized: false` only turns off the match of
 * the certificate's name (`sslServerDNMatch`). `cert` and `key` (with `ca`) become the PEM
 * wallet content.
 */
function applySsl(ssl: ConnectionSettings["ssl"], target: Target, attributes: Record<string, unknown>): void {
  if (ssl === undefined) return;
  if (ssl === false) {
    target.protocol ??= "TCP";
    return;
  }
  target.protocol = "TCPS";
  if (ssl === true) return;
  if (ssl.rejectUnauthorized === false) attributes.sslServerDNMatch = false;
  const key = revealSecret(ssl.key);
  if (ssl.cert !== undefined || key !== undefined) {
    if (ssl.cert === undefined || key === undefined) {
      throw new InvalidConnectionInfoError("ssl.cert and ssl.key go together for Oracle: give both, or neither");
    }
    attributes.walletContent = [ssl.cert, key, ssl.ca].filter((part) => part !== undefined).join("\n");
  } else if (ssl.ca !== undefined) {
    throw new InvalidConnectionInfoError(
      "node-oracledb's thin mode cannot take a CA certificate on its own (its PEM wallet must also hold a client key): " +
        "start Node with NODE_EXTRA_CA_CERTS=/path/to/ca.pem, or put a PEM wallet in connectArgs.walletLocation",
    );
  }
}

function connectString(settings: ConnectionSettings, target: Target): string {
  const { components } = settings;
  if (target.connectString !== undefined) {
    if (target.protocol === "TCPS" && !/tcps/i.test(target.connectString)) {
      throw new InvalidConnectionInfoError(
        "ssl is on but the given connect string does not use TCPS: write it as tcps://host:port/service or with (PROTOCOL=TCPS)",
      );
    }
    return target.connectString;
  }
  const database = components.database || undefined;
  if (!components.host) {
    if (database) return database;
    throw new InvalidConnectionInfoError(
      "an Oracle connection needs a host (oracle+oracledb://user:pass@host:1521/service), a connect_string, or a tnsnames alias as the database",
    );
  }
  if (database && (target.serviceName !== undefined || target.sid !== undefined)) {
    throw new InvalidConnectionInfoError(
      `the URL names the service twice ("/${database}" and ?${target.sid !== undefined ? "sid" : "service_name"}=): keep one`,
    );
  }
  if (target.serviceName !== undefined && target.sid !== undefined) {
    throw new InvalidConnectionInfoError("give either service_name or sid, not both");
  }
  const serviceName = target.serviceName ?? (target.sid === undefined ? database : undefined);
  if (serviceName === undefined && target.sid === undefined) {
    throw new InvalidConnectionInfoError(
      "an Oracle connection needs a service name (the URL path, e.g. /FREEPDB1, or ?service_name=) or a SID (?sid=)",
    );
  }
  const host = descriptorValue("host", components.host);
  const port = components.port ?? DEFAULT_PORT;
  const service =
    serviceName !== undefined ? `(SERVICE_NAME=${descriptorValue("service name", serviceName)})` : `(SID=${descriptorValue("SID", target.sid!)})`;
  return `(DESCRIPTION=(ADDRESS=(PROTOCOL=${target.protocol ?? "TCP"})(HOST=${host})(PORT=${port}))(CONNECT_DATA=${service}))`;
}

function applyPool(pool: ConnectionSettings["pool"], attributes: Record<string, unknown>): void {
  if (!pool) return;
  if (pool.max !== undefined) attributes.poolMax = pool.max;
  if (pool.min !== undefined) attributes.poolMin = pool.min;
  // node-oracledb counts idle time in seconds.
  if (pool.idleTimeoutMs !== undefined) attributes.poolTimeout = Math.ceil(pool.idleTimeoutMs / 1000);
  if (pool.acquireTimeoutMs !== undefined) attributes.queueTimeout = pool.acquireTimeoutMs;
}
