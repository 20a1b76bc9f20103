import { createInterface } from "node:readline/promises";
import { UsageError } from "./errors.js";

/** Where a command writes and what it may ask: real streams in the binary, fakes in tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Whether a person is at the keyboard (stdin and stderr are terminals). */
  readonly interactive: boolean;
  /** All of stdin, for `--password-stdin`. */
  readStdin(): Promise<string>;
  /** Asks for a secret without echoing it. */
  promptPassword(message: string): Promise<string>;
  /** Asks a yes/no question; default no. */
  confirm(message: string): Promise<boolean>;
}

/** The process's own streams. */
export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
    interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
    async readStdin() {
      if (process.stdin.isTTY) throw new UsageError("--password-stdin reads the password from a pipe: echo \"$PASSWORD\" | sqlblocks …");
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
      return Buffer.concat(chunks).toString("utf8");
    },
    async promptPassword(message) {
      const { default: password } = await import("@inquirer/password");
      return password({ message, mask: "*" }, { output: process.stderr });
    },
    async confirm(message) {
      const readline = createInterface({ input: process.stdin, output: process.stderr });
      try {
        const answer = await readline.question(`${message} [y/N] `);
        return /^y(es)?$/i.test(answer.trim());
      } finally {
        readline.close();
      }
    },
  };
}
