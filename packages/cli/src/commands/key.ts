import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import {
  ENCRYPTION_KEY_ENV,
  type EncryptionKey,
  getDefaultStore,
  KEY_FILE_NAME,
  keyFingerprint,
  NEW_KEY_FILE_NAME,
  parseEncryptionKey,
} from "@sqlblocks/core";
import type { Command } from "commander";
import { CommandError, UsageError } from "../errors.js";
import { json } from "../format.js";
import type { CliIo } from "../io.js";

/**
 * `sqlblocks key rotate`: re-encrypts every block document and the key-check record with a
 * new key in one transaction (a crash part-way leaves everything on the old key). A key
 * kept in a file gets its successor beside it (`encryption.key.new`, mode 0600, written
 * before the store changes, so the store never holds data no file can open); a key from
 * `SQLBLOCKS_ENCRYPTION_KEY` needs the new one on stdin. The key itself is never printed.
 */
export async function keyRotate(io: CliIo, options: { newKeyStdin?: boolean; json?: boolean }): Promise<void> {
  const fromEnv = Boolean(process.env[ENCRYPTION_KEY_ENV]);
  if (fromEnv && !options.newKeyStdin) {
    throw new UsageError(
      `the key comes from ${ENCRYPTION_KEY_ENV}: generate a new one (openssl rand -base64 32) and pipe it to sqlblocks key rotate --new-key-stdin`,
    );
  }
  const store = await getDefaultStore();
  const currentId = await store.keyId();
  const next: EncryptionKey = options.newKeyStdin
    ? parseEncryptionKey((await io.readStdin()).trim(), "--new-key-stdin")
    : { key: randomBytes(32), source: "a new random key" };
  const nextId = keyFingerprint(next.key);
  if (nextId === currentId) throw new UsageError("the new key is the key the store already uses: give another one");

  let newKeyFile: string | undefined;
  if (!fromEnv) {
    newKeyFile = path.join(store.home, NEW_KEY_FILE_NAME);
    try {
      fs.writeFileSync(newKeyFile, `${next.key.toString("base64")}\n`, { flag: "wx", mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      throw new CommandError(
        `${newKeyFile} already exists (an earlier rotation): if the store uses it (sqlblocks store info shows key id ${currentId}), ` +
          `move it over ${KEY_FILE_NAME}; otherwise delete it, then rotate again`,
      );
    }
  }
  let result: Awaited<ReturnType<typeof store.rotateKey>>;
  try {
    result = await store.rotateKey({ ...next, source: newKeyFile ? `key file ${newKeyFile}` : "--new-key-stdin" });
  } catch (error) {
    // Nothing changed in the store: the new key file is of no use.
    if (newKeyFile) fs.rmSync(newKeyFile, { force: true });
    throw error;
  }
  const keyFile = path.join(store.home, KEY_FILE_NAME);
  const nextSteps = newKeyFile
    ? [
        `The new key is in ${newKeyFile} (mode 0600); sqlblocks on this machine reads it until you move it into place:`,
        `  mv ${newKeyFile} ${keyFile}`,
        "Keep a copy of the old key until every machine that uses this store has the new one; machines with only the old key can no longer read blocks.",
      ]
    : [
        `Next: set ${ENCRYPTION_KEY_ENV} to the new key on every machine that uses this store (the store never holds the key);`,
        "processes still on the old key can no longer read blocks.",
      ];
  if (options.json) {
    io.out(json({ store: store.location, documents: result.documents, from: result.from, to: result.to, newKeyFile: newKeyFile ?? null }));
    return;
  }
  io.out(`Re-encrypted ${result.documents} block document(s) and the key check in ${store.location}: key id ${result.from} -> ${result.to}.`);
  for (const line of nextSteps) io.out(line);
}

/** Registers `sqlblocks key rotate`. */
export function registerKeyCommands(program: Command, io: CliIo): void {
  const key = program.command("key").description("manage the store's encryption key");
  key
    .command("rotate")
    .description("re-encrypt every block with a new key, in one transaction; the new key goes beside the key file")
    .option("--new-key-stdin", `read the new key (base64, 32 bytes) from stdin; required when ${ENCRYPTION_KEY_ENV} holds the key`)
    .option("--json", "print JSON")
    .action((options: { newKeyStdin?: boolean; json?: boolean }) => keyRotate(io, options));
}
