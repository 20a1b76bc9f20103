import {
  Block,
  type BlockStore,
  BlockAlreadyExistsError,
  type ConnectionComponentsInput,
  Driver,
  getDefaultStore,
  loadDriverPlugin,
  parseConnectionUrl,
  resolveDriver,
  Secret,
  SqlConnector,
} from "@sqlblocks/core";
import { CommandError, UsageError } from "../errors.js";
import { errorLine, formatTime, json, table } from "../format.js";
import type { CliIo } from "../io.js";

/** The block type assumed when a reference has no `slug/` part. */
export const DEFAULT_BLOCK_TYPE = SqlConnector.type.slug;

/** A block reference `slug/name`; a bare `name` means a SQL Connector. */
export interface BlockReference {
  slug: string;
  name: string;
}

export function parseReference(reference: string): BlockReference {
  const slash = reference.indexOf("/");
  if (slash === -1) return { slug: DEFAULT_BLOCK_TYPE, name: reference };
  if (slash === 0 || slash === reference.length - 1) {
    throw new UsageError(`invalid block reference "${reference}": write <slug>/<name>, e.g. sql-connector/warehouse`);
  }
  return { slug: reference.slice(0, slash), name: reference.slice(slash + 1) };
}

const refText = (ref: BlockReference) => `${ref.slug}/${ref.name}`;

async function loadBlock(ref: BlockReference, store: BlockStore): Promise<Block> {
  return Block.load(refText(ref), { store });
}

// ------------------------------------------------------------------ ls

export async function blockList(io: CliIo, options: { json?: boolean }): Promise<void> {
  const documents = await Block.list();
  if (options.json) {
    io.out(
      json(
        documents.map((d) => ({
          reference: `${d.typeSlug}/${d.name}`,
          type: d.typeSlug,
          name: d.name,
          schemaVersion: d.schemaVersion,
          createdAt: d.createdAt,
          updatedAt: d.updatedAt,
        })),
      ),
    );
    return;
  }
  if (documents.length === 0) {
    io.out(`No blocks in ${(await getDefaultStore()).location}. Create one with: sqlblocks block create sql-connector <name> --url <url>`);
    return;
  }
  io.out(table(["TYPE", "NAME", "UPDATED"], documents.map((d) => [d.typeSlug, d.name, formatTime(d.updatedAt)])));
}

// ------------------------------------------------------------------ inspect

interface InspectView {
  reference: string;
  type: string;
  typeName: string;
  name: string;
  url?: string;
  createdAt?: string;
  updatedAt?: string;
  data: unknown;
}

export async function blockInspect(io: CliIo, reference: string, options: { json?: boolean }): Promise<void> {
  const ref = parseReference(reference);
  const description = await Block.describe(refText(ref));
  const block = description.block;
  const view: InspectView = {
    reference: description.reference,
    type: description.type.slug,
    typeName: description.type.name,
    name: description.name,
    createdAt: description.createdAt,
    updatedAt: description.updatedAt,
    data: description.data,
  };
  if (block instanceof SqlConnector) {
    view.url = block.renderUrl();
    const { blockType: _type, blockName: _name, ...data } = block.toJSON();
    view.data = data;
  }
  if (options.json) {
    io.out(json(view));
    return;
  }
  const lines = [
    `Block:    ${view.reference}`,
    `Type:     ${view.typeName}`,
    ...(view.url ? [`URL:      ${view.url}`] : []),
    `Created:  ${formatTime(view.createdAt)}`,
    `Updated:  ${formatTime(view.updatedAt)}`,
    "Data:",
    ...json(view.data)
      .split("\n")
      .map((line) => `  ${line}`),
  ];
  io.out(lines.join("\n"));
}

// ------------------------------------------------------------------ create

/** Options of `block create sql-connector`. */
export interface CreateOptions {
  url?: string;
  driver?: string;
  host?: string;
  port?: string;
  database?: string;
  username?: string;
  passwordStdin?: boolean;
  overwrite?: boolean;
  fetchSize?: string;
  json?: boolean;
}

function parsePositiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`${flag} must be a whole number > 0, got "${value}"`);
  return Number(value);
}

async function readPassword(io: CliIo, options: CreateOptions, who: string): Promise<string | undefined> {
  if (options.passwordStdin) {
    const text = (await io.readStdin()).replace(/\r?\n$/, "");
    return text === "" ? undefined : text;
  }
  if (!io.interactive) return undefined;
  const answer = await io.promptPassword(`Password for ${who} (leave empty for none):`);
  return answer === "" ? undefined : answer;
}

export async function blockCreate(io: CliIo, type: string, name: string, options: CreateOptions): Promise<void> {
  if (type !== DEFAULT_BLOCK_TYPE) {
    throw new UsageError(`cannot create blocks of type "${type}" from the command line: use sql-connector`);
  }
  const componentFlags = (["driver", "host", "port", "database", "username"] as const).filter((flag) => options[flag] !== undefined);
  if (options.url !== undefined && componentFlags.length > 0) {
    throw new UsageError(`--url cannot be combined with ${componentFlags.map((f) => `--${f}`).join(", ")}`);
  }
  if (options.url === undefined && options.driver === undefined) {
    throw new UsageError("give the connection: --url <url>, or --driver <driver> with --host, --port, --database, --username");
  }
  const fetchSize = parsePositiveInt(options.fetchSize, "--fetch-size");
  let connectionInfo: string | ConnectionComponentsInput;
  if (options.url !== undefined) {
    const url = new Secret(options.url);
    const components = parseConnectionUrl(url);
    if (components.password !== undefined) {
      io.err("warning: the URL contains a password, which is now in your shell history; prefer --password-stdin or the prompt");
    }
    const needsPassword = components.password === undefined && components.driver !== Driver.SQLITE_BETTER_SQLITE3;
    const password = needsPassword && (components.username || options.passwordStdin)
      ? await readPassword(io, options, `${components.username ?? "the user"}@${components.host ?? "localhost"}`)
      : undefined;
    connectionInfo = password === undefined ? options.url : { ...components, password };
  } else {
    const driver = resolveDriver(options.driver!);
    const port = parsePositiveInt(options.port, "--port");
    const needsPassword = driver !== Driver.SQLITE_BETTER_SQLITE3 && (options.username !== undefined || options.passwordStdin);
    const password = needsPassword
      ? await readPassword(io, options, `${options.username ?? "the user"}@${options.host ?? "localhost"}`)
      : undefined;
    connectionInfo = {
      driver,
      host: options.host,
      port,
      database: options.database,
      username: options.username,
      password,
    };
  }
  const connector = new SqlConnector({ connectionInfo, fetchSize });
  try {
    await connector.save(name, { overwrite: options.overwrite === true });
  } catch (error) {
    if (error instanceof BlockAlreadyExistsError) {
      throw new CommandError(`block ${DEFAULT_BLOCK_TYPE}/${name} already exists: pass --overwrite to replace it`);
    }
    throw error;
  }
  if (options.json) {
    io.out(json({ reference: `${DEFAULT_BLOCK_TYPE}/${name}`, url: connector.renderUrl() }));
  } else {
    io.out(`Saved ${DEFAULT_BLOCK_TYPE}/${name}: ${connector.renderUrl()}`);
  }
}

// ------------------------------------------------------------------ delete

export async function blockDelete(io: CliIo, reference: string, options: { yes?: boolean }): Promise<void> {
  const ref = parseReference(reference);
  if (!(await Block.exists(refText(ref)))) {
    throw new CommandError(`no block ${refText(ref)} in the store at ${(await getDefaultStore()).location}`);
  }
  if (!options.yes) {
    if (!io.interactive) throw new UsageError(`refusing to delete ${refText(ref)} without confirmation: pass --yes`);
    if (!(await io.confirm(`Delete block ${refText(ref)}?`))) {
      io.err("Nothing deleted.");
      return;
    }
  }
  await Block.delete(refText(ref));
  io.out(`Deleted ${refText(ref)}`);
}

// ------------------------------------------------------------------ types

export async function blockTypes(io: CliIo, options: { json?: boolean }): Promise<void> {
  const types = await Block.listTypes();
  if (options.json) {
    io.out(json(types));
    return;
  }
  io.out(table(["SLUG", "NAME", "SECRET FIELDS", "DESCRIPTION"], types.map((t) => [t.slug, t.name, t.secretFields.join(", ") || "-", t.description])));
}

// ------------------------------------------------------------------ test

export async function blockTest(io: CliIo, reference: string, options: { json?: boolean; timeoutMs?: string }): Promise<void> {
  const ref = parseReference(reference);
  const timeoutMs = parsePositiveInt(options.timeoutMs, "--timeout-ms") ?? 10_000;
  const store = await getDefaultStore();
  const block = await loadBlock(ref, store);
  if (!(block instanceof SqlConnector)) throw new UsageError(`block test works on sql-connector blocks, not ${ref.slug}`);
  // Only for the report: which statement the driver pings with.
  const plugin = await loadDriverPlugin(block.components.driver, ref.name);
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new CommandError(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    // The first ping includes connecting; the second is the round trip alone.
    const connectMs = await Promise.race([block.ping(), timeout]);
    const latencyMs = await Promise.race([block.ping(), timeout]);
    if (options.json) {
      io.out(json({ reference: refText(ref), ok: true, url: block.renderUrl(), query: plugin.pingSql, latencyMs, connectMs }));
    } else {
      io.out(
        `ok: ${refText(ref)} (${block.renderUrl()}) answered ${plugin.pingSql} in ${latencyMs.toFixed(1)} ms (first query with connect: ${connectMs.toFixed(1)} ms)`,
      );
    }
  } catch (error) {
    throw new CommandError(`${refText(ref)} (${block.renderUrl()}) failed the connection test: ${errorLine(error)}`);
  } finally {
    clearTimeout(timer);
    await block.close().catch(() => undefined);
  }
}
