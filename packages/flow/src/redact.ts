import { maskUrlPasswords } from "@sqlblocks/core";

/**
 * An error as text fit for the store and the console: `Name: message`, with URL passwords
 * masked. sqlblocks' own errors are already free of secrets; this catches the others.
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const name = error.name && error.name !== "Error" ? error.name : error.constructor?.name || "Error";
    return maskUrlPasswords(`${name}: ${error.message}`);
  }
  return maskUrlPasswords(typeof error === "string" ? error : `thrown value: ${String(error)}`);
}
